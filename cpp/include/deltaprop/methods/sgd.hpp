// deltaprop/methods/sgd.hpp — stochastic gradient descent: one point per update, a fresh
// seeded random order each epoch; W ← W − η(∇e_n + ∇Ω), optionally with momentum.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "deltaprop/batch_source.hpp"
#include "deltaprop/descent.hpp"
#include "deltaprop/fit_options.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/methods/method.hpp"
#include "deltaprop/random.hpp"
#include "deltaprop/sgd.hpp"

namespace deltaprop {

template <class T>
class StochasticGradientDescent : public StochasticMethod<T> {
public:
    StochasticGradientDescent(const FitOptions& o, std::size_t n_weights, BatchSource<T>& source)
        : eta_(o.lr), rng_(o.seed.value_or(0)), step_(n_weights, o.momentum.value_or(0)),
          lean_(o.momentum.value_or(0) == 0 && !source.penalty().active()),
          position_(source.size()) {
        source.reserve_point();
        if (!lean_) allocate(g_, n_weights, T(0), "the gradient");
    }

    Updates run(BatchSource<T>& source, T* w, std::size_t count) override {
        const std::size_t n = source.size();
        const T eta = T(eta_);
        for (std::size_t done = 0; done < count;) {
            if (position_ == n) {  // a new epoch
                epoch_order(rng_, order_, n);
                position_ = 0;
            }
            const std::uint64_t k = order_[position_++];
            double e;
            if (lean_) {  // no momentum, no penalty: the update needs no gradient buffer
                e = source.descend_on_point(k, eta);
            } else {
                e = source.point_gradient(k, g_.data());
                step_.apply(w, g_.data(), eta);
            }
            ++done;
            if (!std::isfinite(e)) return {done, false};
        }
        return {count, true};
    }

    std::size_t check_every() const override { return 64; }
    double lr() const override { return eta_; }

private:
    double eta_;
    Random rng_;
    DescentStep<T> step_;
    bool lean_;
    std::size_t position_;  // within the current epoch's order
    std::vector<std::uint64_t> order_;
    std::vector<T> g_;
};

}  // namespace deltaprop
