// deltaprop/local_objective.hpp — the Objective of a network on training data in this process:
// E_in and ∇E_in from the threaded evaluator over row blocks (gradient.hpp).
#pragma once

#include "deltaprop/gradient.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/objective.hpp"
#include "deltaprop/regularization.hpp"

namespace deltaprop {

/// Evaluates at the network's own weights when given net.data() (what the methods pass), and
/// copies other weights into the network first.
template <class T>
class LocalObjective : public Objective<T> {
public:
    LocalObjective(Network<T>& net, Evaluator<T>& evaluator, const Data<T>& data,
                   const Regularizer& penalty)
        : Objective<T>(net.n_weights(), penalty), net_(net), evaluator_(evaluator), data_(data) {}

protected:
    double error(const T* w) override {
        use(w);
        return evaluator_.error(net_, data_);
    }
    double error_and_gradient(const T* w, T* g) override {
        use(w);
        return evaluator_.error_and_gradient(net_, data_, g);
    }

private:
    void use(const T* w) {
        if (w != net_.data()) net_.assign(w);
    }

    Network<T>& net_;
    Evaluator<T>& evaluator_;
    Data<T> data_;
};

}  // namespace deltaprop
