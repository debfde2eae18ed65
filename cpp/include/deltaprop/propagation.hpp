// deltaprop/propagation.hpp — forward propagation, backpropagation of the sensitivities δ, and
// the gradient G^(ℓ) = x^(ℓ-1) (δ^(ℓ))ᵀ, for a block of B data points at once.
//
// Rows are data points, so the lecture's column vectors become rows of matrices:
//   forward:   S^(ℓ) = X^(ℓ-1) W^(ℓ)               X^(ℓ) = [1 | θ(S^(ℓ))]
//   backward:  Δ^(L) = 2 (X^(L) − Y) ⊙ θ'(S^(L))
//              Δ^(ℓ) = θ'(S^(ℓ)) ⊙ (Δ^(ℓ+1) W^(ℓ+1)ᵀ)[:, 1:]
//   gradient:  G^(ℓ) += X^(ℓ-1)ᵀ Δ^(ℓ)
// The bias column of X^(ℓ) is never stored: the product with W^(ℓ) is split into row 0 of W^(ℓ)
// (the biases, added to every row) and the rest, W^(ℓ)[1:, :]. With tanh, θ'(s) = 1 − x², so
// only the activations X^(ℓ) are kept.
#pragma once

#include <cstddef>
#include <vector>

#include "deltaprop/activation.hpp"
#include "deltaprop/blas.hpp"
#include "deltaprop/network.hpp"

namespace deltaprop {

/// Scratch space for propagating up to `capacity` rows through one network: X^(ℓ) and Δ^(ℓ)
/// for ℓ = 1..L, each capacity × d^(ℓ). Allocated once, reused for every block.
template <class T>
class Workspace {
public:
    Workspace() = default;
    Workspace(const Layout& layout, std::size_t capacity) : capacity_(capacity) {
        std::size_t total = 0;
        offsets_.push_back(0);
        for (std::size_t l = 1; l <= layout.n_layers(); ++l) {
            total += capacity * layout.dim(l);
            offsets_.push_back(total);
        }
        x_.assign(total, T(0));
        delta_.assign(total, T(0));
    }
    std::size_t capacity() const { return capacity_; }
    /// X^(ℓ) without its bias column, ℓ = 1..L: B × d^(ℓ).
    T* x(std::size_t l) { return x_.data() + offsets_[l - 1]; }
    const T* x(std::size_t l) const { return x_.data() + offsets_[l - 1]; }
    /// Δ^(ℓ), ℓ = 1..L: B × d^(ℓ).
    T* delta(std::size_t l) { return delta_.data() + offsets_[l - 1]; }
    const T* delta(std::size_t l) const { return delta_.data() + offsets_[l - 1]; }

private:
    std::size_t capacity_ = 0;
    std::vector<std::size_t> offsets_;
    std::vector<T> x_, delta_;
};

/// X^(ℓ-1) for ℓ ≥ 1: the input block for ℓ = 1, else the stored activations.
template <class T>
inline const T* layer_input(const Workspace<T>& ws, const T* x0, std::size_t l) {
    return l == 1 ? x0 : ws.x(l - 1);
}

/// Forward propagation of B rows x0 (B × d^(0), row-major): fills X^(1..L) in ws.
/// Returns X^(L) = h(x) for each row.
template <class T>
const T* forward(const Network<T>& net, const T* x0, std::size_t B, Workspace<T>& ws) {
    const std::size_t L = net.n_layers();
    for (std::size_t l = 1; l <= L; ++l) {
        const std::size_t d_in = net.layout().dim(l - 1), d_out = net.layout().dim(l);
        const T* W = net.weights(l);
        T* s = ws.x(l);
        for (std::size_t r = 0; r < B; ++r)  // S^(ℓ) starts as the biases, row 0 of W^(ℓ)
            for (std::size_t j = 0; j < d_out; ++j) s[r * d_out + j] = W[j];
        gemm(Trans::no, Trans::no, B, d_out, d_in, layer_input(ws, x0, l), d_in, W + d_out, d_out,
             T(1), s, d_out);
        activate(l < L ? Output::tanh : net.output(), s, B * d_out);  // X^(ℓ) = θ(S^(ℓ))
    }
    return ws.x(L);
}

/// Σ over the block of ‖x^(L) − y‖², after forward().
template <class T>
double squared_error(const Network<T>& net, const T* y, std::size_t B, const Workspace<T>& ws) {
    const std::size_t n = B * net.layout().n_outputs();
    const T* xL = ws.x(net.n_layers());
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double e = double(xL[i]) - double(y[i]);
        sum += e * e;
    }
    return sum;
}

/// Backpropagation, after forward(): fills Δ^(L..1) in ws from the targets y (B × d^(L)).
/// Returns the block's Σ ‖x^(L) − y‖².
template <class T>
double backward(const Network<T>& net, const T* y, std::size_t B, Workspace<T>& ws) {
    const std::size_t L = net.n_layers();
    const std::size_t dL = net.layout().dim(L);
    const T* xL = ws.x(L);
    T* dlt = ws.delta(L);
    double sum = 0;
    const bool tanh_out = net.output() == Output::tanh;
    for (std::size_t i = 0; i < B * dL; ++i) {  // δ^(L) = 2 (x^(L) − y) θ'(s^(L))
        const T e = xL[i] - y[i];
        sum += double(e) * double(e);
        dlt[i] = T(2) * e * (tanh_out ? T(1) - xL[i] * xL[i] : T(1));
    }
    for (std::size_t l = L - 1; l >= 1; --l) {  // δ^(ℓ) = θ'(s^(ℓ)) ⊗ [W^(ℓ+1) δ^(ℓ+1)]_1^d(ℓ)
        const std::size_t d = net.layout().dim(l), d_next = net.layout().dim(l + 1);
        T* dl = ws.delta(l);
        gemm(Trans::no, Trans::yes, B, d, d_next, ws.delta(l + 1), d_next,
             net.weights(l + 1) + d_next, d_next, T(0), dl, d);
        const T* xl = ws.x(l);
        for (std::size_t i = 0; i < B * d; ++i) dl[i] *= T(1) - xl[i] * xl[i];
    }
    return sum;
}

/// After backward(): G^(ℓ) += X^(ℓ-1)ᵀ Δ^(ℓ) for ℓ = 1..L, into g laid out like the weights.
/// (Summed over the block, not yet divided by N.)
template <class T>
void accumulate_gradient(const Network<T>& net, const T* x0, std::size_t B,
                         const Workspace<T>& ws, T* g) {
    for (std::size_t l = 1; l <= net.n_layers(); ++l) {
        const std::size_t d_in = net.layout().dim(l - 1), d_out = net.layout().dim(l);
        T* gl = g + net.layout().offset(l);
        const T* dl = ws.delta(l);
        for (std::size_t r = 0; r < B; ++r)  // row 0: the bias input is 1
            for (std::size_t j = 0; j < d_out; ++j) gl[j] += dl[r * d_out + j];
        gemm(Trans::yes, Trans::no, d_in, d_out, B, layer_input(ws, x0, l), d_in, dl, d_out, T(1),
             gl + d_out, d_out);
    }
}

}  // namespace deltaprop
