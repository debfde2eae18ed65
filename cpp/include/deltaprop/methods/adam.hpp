// deltaprop/methods/adam.hpp — Adam (Kingma & Ba, 2015) on mini-batches of batch_size points,
// taken in turn from a fresh seeded random order each epoch (a short last batch is dropped, as
// in minibatch). With g the batch's mean gradient plus ∇Ω, at update t = 1, 2, ...:
//   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,
//   m̂ = m / (1 − β₁ᵗ),     v̂ = v / (1 − β₂ᵗ),     W ← W − η m̂ / (√v̂ + ε).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "deltaprop/batch_source.hpp"
#include "deltaprop/fit_options.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/methods/method.hpp"
#include "deltaprop/sgd.hpp"

namespace deltaprop {

template <class T>
class Adam : public StochasticMethod<T> {
public:
    static constexpr double default_lr = 1e-3;
    static constexpr double default_beta1 = 0.9, default_beta2 = 0.999, default_eps = 1e-8;

    Adam(const FitOptions& o, std::size_t n_weights, BatchSource<T>& source)
        : eta_(o.lr.value_or(default_lr)), beta1_(o.beta1.value_or(default_beta1)),
          beta2_(o.beta2.value_or(default_beta2)), eps_(o.eps.value_or(default_eps)),
          orders_(o.seed.value_or(0), source.size()),
          batch_(std::min(o.batch_size.value_or(FitOptions::default_batch_size), source.size())) {
        source.reserve_batch(batch_);
        allocate(g_, n_weights, T(0), "the gradient");
        allocate(m_, n_weights, T(0), "Adam's first moment");
        allocate(v_, n_weights, T(0), "Adam's second moment");
    }

    Updates run(BatchSource<T>& source, T* w, std::size_t count) override {
        const std::size_t n = g_.size();
        const T b1 = T(beta1_), b2 = T(beta2_), eta = T(eta_), eps = T(eps_);
        for (std::size_t done = 0; done < count;) {
            const BatchGradient<T> b = source.batch_gradient(orders_.next(batch_), batch_, g_.data());
            ++t_;
            power1_ *= beta1_;
            power2_ *= beta2_;
            const T c1 = T(1 / (1 - power1_)), c2 = T(1 / (1 - power2_));  // bias corrections
            for (std::size_t i = 0; i < n; ++i) {
                const T gi = b.scale * g_[i];
                m_[i] = b1 * m_[i] + (T(1) - b1) * gi;
                v_[i] = b2 * v_[i] + (T(1) - b2) * gi * gi;
                w[i] -= eta * (m_[i] * c1) / (std::sqrt(v_[i] * c2) + eps);
            }
            ++done;
            if (!std::isfinite(b.error)) return {done, false};
        }
        return {count, true};
    }

    double lr() const override { return eta_; }

private:
    double eta_, beta1_, beta2_, eps_;
    EpochOrders orders_;
    std::size_t batch_;
    std::size_t t_ = 0;
    double power1_ = 1, power2_ = 1;  ///< β₁ᵗ and β₂ᵗ
    std::vector<T> g_, m_, v_;
};

}  // namespace deltaprop
