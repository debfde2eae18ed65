// deltaprop/methods/minibatch.hpp — mini-batch gradient descent: batch_size points per update,
// taken in turn from a fresh seeded random order each epoch (a short last batch is dropped);
// W ← W − η(∇E_batch + ∇Ω), optionally with momentum.
#pragma once

#include <algorithm>
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
class MiniBatchGradientDescent : public StochasticMethod<T> {
public:
    MiniBatchGradientDescent(const FitOptions& o, std::size_t n_weights, BatchSource<T>& source)
        : eta_(o.lr.value_or(FitOptions::default_lr)), orders_(o.seed.value_or(0), source.size()),
          step_(n_weights, o.momentum.value_or(0)),
          batch_(std::min(o.batch_size.value_or(FitOptions::default_batch_size), source.size())) {
        source.reserve_batch(batch_);
        allocate(g_, n_weights, T(0), "the gradient");
    }

    Updates run(BatchSource<T>& source, T* w, std::size_t count) override {
        for (std::size_t done = 0; done < count;) {
            const BatchGradient<T> b = source.batch_gradient(orders_.next(batch_), batch_, g_.data());
            step_.apply(w, g_.data(), T(eta_), b.scale);
            ++done;
            if (!std::isfinite(b.error)) return {done, false};
        }
        return {count, true};
    }

    double lr() const override { return eta_; }

private:
    double eta_;
    EpochOrders orders_;
    DescentStep<T> step_;
    std::size_t batch_;
    std::vector<T> g_;
};

}  // namespace deltaprop
