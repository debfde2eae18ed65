// deltaprop/descent.hpp — the lecture's update W(t+1) = W(t) − η ∇E on the flat weights: the
// plain step (`descend`), the step with momentum (`DescentStep`), and one whole batch
// gradient-descent step on E_in (`gd_step`).
#pragma once

#include <cstddef>
#include <vector>

#include "deltaprop/checks.hpp"
#include "deltaprop/gradient.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

namespace detail {

/// w[i] ← w[i] − η(s·g[i]), i < n: a pass over all the weights after each update. Compiled for
/// several instruction sets like the core's loops (simd.hpp); elementwise, so each gives the
/// same bits.
template <class T>
DELTAPROP_ALWAYS_INLINE void descend_loop(std::size_t n, T eta, T s, const T* g, T* w) {
    for (std::size_t i = 0; i < n; ++i) w[i] -= eta * (s * g[i]);
}

}  // namespace detail

DELTAPROP_MULTIVERSION inline void descend(std::size_t n, double eta, double s, const double* g,
                                           double* w) {
    detail::descend_loop(n, eta, s, g, w);
}
DELTAPROP_MULTIVERSION inline void descend(std::size_t n, float eta, float s, const float* g,
                                           float* w) {
    detail::descend_loop(n, eta, s, g, w);
}

/// W ← W − η g for the flat weights and gradient.
template <class T>
void descend(Network<T>& net, const T* g, T eta) {
    descend(net.n_weights(), eta, T(1), g, net.data());
}

/// The update of the gradient-descent methods on n flat weights: W ← W − η(s·g), or with
/// momentum μ > 0, v ← μv − η(s·g), W ← W + v. s (1/B for a mini-batch's sum) is applied in the
/// same pass, with the bits of scaling g first. Holds v, allocated only with momentum.
template <class T>
class DescentStep {
public:
    DescentStep(std::size_t n, double momentum) : n_(n), mu_(momentum) {
        if (mu_ > 0) allocate(v_, n_, T(0), "the step direction");
    }

    void apply(T* w, const T* g, T eta, T s = T(1)) {
        if (mu_ > 0) {
            const T mu = T(mu_);
            for (std::size_t i = 0; i < n_; ++i) {
                v_[i] = mu * v_[i] - eta * (s * g[i]);
                w[i] += v_[i];
            }
        } else {
            descend(n_, eta, s, g, w);
        }
    }

private:
    std::size_t n_;
    double mu_;
    std::vector<T> v_;
};

/// One batch gradient-descent step: computes E_in(W) and G, then W ← W − η G.
/// Returns E_in before the step. g is scratch of n_weights entries (left holding G).
/// Throws std::invalid_argument if the weights are not finite (check_finite_weights).
template <class T>
double gd_step(Network<T>& net, Evaluator<T>& evaluator, const Data<T>& data, T eta, T* g) {
    check_learning_rate(double(eta));
    check_finite_weights(net);  // else E_in is NaN and the step silently keeps it so
    const double e = evaluator.error_and_gradient(net, data, g);
    descend(net, g, eta);
    return e;
}

}  // namespace deltaprop
