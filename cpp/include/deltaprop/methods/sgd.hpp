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
#include "deltaprop/sgd.hpp"

namespace deltaprop {

template <class T>
class StochasticGradientDescent : public StochasticMethod<T> {
public:
    StochasticGradientDescent(const FitOptions& o, std::size_t n_weights, BatchSource<T>& source)
        : eta_(o.lr.value_or(FitOptions::default_lr)), orders_(o.seed.value_or(0), source.size()),
          step_(n_weights, o.momentum.value_or(0)),
          lean_(o.momentum.value_or(0) == 0 && !source.penalty().active()) {
        source.reserve_point();
        if (!lean_) allocate(g_, n_weights, T(0), "the gradient");
    }

    Updates run(BatchSource<T>& source, T* w, std::size_t count) override {
        const T eta = T(eta_);
        for (std::size_t done = 0; done < count;) {
            const std::uint64_t k = *orders_.next(1);
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
    EpochOrders orders_;
    DescentStep<T> step_;
    bool lean_;
    std::vector<T> g_;
};

}  // namespace deltaprop
