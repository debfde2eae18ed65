// deltaprop/trace.hpp — the lecture's quantities for one data point, layer by layer: the signals
// s^(ℓ), the activations x^(ℓ) and the sensitivities δ^(ℓ), as the book's Example 7.1 tabulates
// them. For teaching and debugging: it allocates, and is not on any training path.
//
// x^(ℓ) and δ^(ℓ) are those of the core's own forward() and backward() on a one-point
// workspace, so the trace shows what training computes. The backward pass keeps only x^(ℓ)
// (θ'(s) = 1 − x² for tanh), so s^(ℓ) = (W^(ℓ))ᵀ x^(ℓ-1) is computed here, from the kept x^(ℓ-1).
#pragma once

#include <cstddef>
#include <vector>

#include "deltaprop/network.hpp"
#include "deltaprop/propagation.hpp"

namespace deltaprop {

/// One point's pass through the network, indexed by layer as in the lecture (entry 0 of s and
/// delta is empty: layer 0 has no signal and no sensitivity).
template <class T>
struct Trace {
    std::vector<std::vector<T>> x;      ///< x^(ℓ), ℓ = 0..L: [1; θ(s^(ℓ))] for ℓ < L, h(x) for ℓ = L
    std::vector<std::vector<T>> s;      ///< s^(ℓ) = (W^(ℓ))ᵀ x^(ℓ-1), ℓ = 1..L
    std::vector<std::vector<T>> delta;  ///< δ^(ℓ) = ∂e/∂s^(ℓ), ℓ = 1..L
    double error = 0;                   ///< e = ‖h(x) − y‖²
};

/// The trace of the point x (d^(0) values) with target y (d^(L) values).
template <class T>
Trace<T> trace(const Network<T>& net, const T* x, const T* y) {
    const std::size_t L = net.n_layers();
    Workspace<T> ws(net.layout(), 1);
    forward(net, x, 1, ws);
    Trace<T> t;
    t.error = backward(net, y, 1, ws);
    t.x.resize(L + 1);
    t.s.resize(L + 1);
    t.delta.resize(L + 1);
    t.x[0].push_back(T(1));
    t.x[0].insert(t.x[0].end(), x, x + net.layout().n_inputs());
    for (std::size_t l = 1; l <= L; ++l) {
        const std::size_t d_in = net.layout().dim(l - 1), d = net.layout().dim(l);
        const T* W = net.weights(l);
        const std::vector<T>& x_prev = t.x[l - 1];  // with its leading 1
        for (std::size_t j = 0; j < d; ++j) {
            T s = 0;
            for (std::size_t i = 0; i <= d_in; ++i) s += W[i * d + j] * x_prev[i];
            t.s[l].push_back(s);
        }
        if (l < L) t.x[l].push_back(T(1));
        // one point: X^(ℓ) and Δ^(ℓ) of the workspace are plain vectors of d^(ℓ) values
        t.x[l].insert(t.x[l].end(), ws.x(l), ws.x(l) + d);
        t.delta[l].assign(ws.delta(l), ws.delta(l) + d);
    }
    return t;
}

}  // namespace deltaprop
