// deltaprop/propagation.hpp — forward propagation, backpropagation of the sensitivities δ, and
// the gradient G^(ℓ) = x^(ℓ-1) (δ^(ℓ))ᵀ, for a block of B data points at once, layer by layer.
//
// Inside a block the data points are columns, as the lecture writes x_n: X^(ℓ) is d^(ℓ) × B
// (the bias row of 1s is not stored), and
//   forward:   S^(ℓ) = W^(ℓ)ᵀ [1; X^(ℓ-1)]            X^(ℓ) = θ(S^(ℓ))
//   backward:  Δ^(L) = ∂e/∂S^(L), from the loss      (squared error: 2 (X^(L) − Y) ⊙ θ'(S^(L)),
//                                                      cross-entropy: X^(L) − Y)
//              Δ^(ℓ) = θ'(S^(ℓ)) ⊙ [W^(ℓ+1) Δ^(ℓ+1)]_{1..d(ℓ)}
//   gradient:  G^(ℓ) += [1; X^(ℓ-1)] Δ^(ℓ)ᵀ
// θ and the loss are parts (activation.hpp, loss.hpp): the elementwise steps (θ, E and Δ^(L) from
// the loss, ⊙ θ') are written once as templates over them, and parts.hpp picks the instantiation
// from the layer's θ (or the output's θ and loss) inside each step's function, compiled per
// instruction set. A loss that reads the signals (cross-entropy) finds S^(L) kept beside X^(L).
// The product with W^(ℓ) is split into row 0 (the biases, added to every column) and the rest,
// W^(ℓ)[1:, :]. Every θ' is computed from x = θ(s), so only the activations X^(ℓ) are kept.
// This column orientation makes the B points the contiguous dimension, so the core's own loops
// for tiny layers (2-10-1) run along long vectors; large layers go to BLAS either way.
// The data set itself stays row-major (N × d), as numpy holds it. When the first layer's products
// go to BLAS, BLAS reads the block's rows as they are (a transpose flag, no copy), which measured
// faster than copying a block of wide rows into columns first. For the core's own loops (tiny
// layers) each block's inputs are transposed once into the workspace.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "deltaprop/gemm.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/parts.hpp"
#include "deltaprop/simd.hpp"
#include "deltaprop/small_products.hpp"

namespace deltaprop {

/// Scratch space for propagating up to `capacity` points through one network: the block's
/// inputs X^(0), X^(ℓ) and Δ^(ℓ) for ℓ = 1..L, each d^(ℓ) × B with B the block's size, and the
/// output signals S^(L) for the losses that read them. Allocated once, reused for every block.
template <class T>
class Workspace {
public:
    Workspace() = default;
    Workspace(const Layout& layout, std::size_t capacity) : capacity_(capacity), layout_(layout) {
        std::size_t total = 0;
        offsets_.push_back(0);
        for (std::size_t l = 1; l <= layout.n_layers(); ++l) {
            total += capacity * layout.dim(l);
            offsets_.push_back(total);
        }
        allocate(input_, capacity * layout.n_inputs(), T(0), "the workspace's inputs");
        allocate(x_, total, T(0), "the workspace's activations");
        allocate(delta_, total, T(0), "the workspace's sensitivities");
        allocate(signal_, capacity * layout.n_outputs(), T(0), "the workspace's output signals");
    }
    std::size_t capacity() const { return capacity_; }
    const Layout& layout() const { return layout_; }
    /// Bytes of scratch held.
    std::size_t bytes() const {
        return (input_.size() + x_.size() + delta_.size() + signal_.size()) * sizeof(T);
    }

    /// Throws unless B points of a network of this layout fit.
    void check_fits(const Layout& layout, std::size_t B) const {
        if (B > capacity_ || layout != layout_)
            throw std::invalid_argument("workspace made for " + std::to_string(capacity_) +
                                        " points of another layout cannot hold " +
                                        std::to_string(B) + " points of this network");
    }
    /// X^(ℓ), ℓ = 0..L: d^(ℓ) × B, column n the n-th point of the block.
    T* x(std::size_t l) { return l == 0 ? input_.data() : x_.data() + offsets_[l - 1]; }
    const T* x(std::size_t l) const { return l == 0 ? input_.data() : x_.data() + offsets_[l - 1]; }
    /// Δ^(ℓ), ℓ = 1..L: d^(ℓ) × B.
    T* delta(std::size_t l) { return delta_.data() + offsets_[l - 1]; }
    const T* delta(std::size_t l) const { return delta_.data() + offsets_[l - 1]; }
    /// S^(L), d^(L) × B, kept by propagate() for a network that keeps_output_signal().
    T* output_signal() { return signal_.data(); }
    const T* output_signal() const { return signal_.data(); }
    /// The block's inputs as the caller's rows (B × d^(0)) when forward() left them there for
    /// BLAS (x(0) then holds nothing); null when x(0) holds them as columns. Valid while the
    /// caller's data are.
    const T* input_rows() const { return input_rows_; }
    void set_input_rows(const T* rows) { input_rows_ = rows; }

private:
    const T* input_rows_ = nullptr;
    std::size_t capacity_ = 0;
    Layout layout_;
    std::vector<std::size_t> offsets_;
    AlignedVector<T> input_, x_, delta_, signal_;
};

namespace detail {

/// X = θ(S) in place for a layer of d units and B points (d × B), θ the activation type A.
template <class A, class T>
DELTAPROP_ALWAYS_INLINE void activate(T* s, std::size_t d, std::size_t B) {
    if constexpr (A::elementwise) {
        for (std::size_t i = 0; i < d * B; ++i) s[i] = A::value(s[i]);
    } else {
        A::columns(s, d, B, B);
    }
}

/// d[i] ← d[i]·θ'(s_i), θ' from x[i] = θ(s_i): the ⊙ θ'(S) of backpropagation.
template <class A, class T>
DELTAPROP_ALWAYS_INLINE void times_derivative(std::size_t n, const T* x, T* d) {
    for (std::size_t i = 0; i < n; ++i) d[i] = d[i] * A::derivative(x[i]);
}

/// The block's E = Σ of the loss's terms over its points and outputs, in the core's order, from
/// S^(L) and X^(L) (d^(L) × B; s may be x itself for a loss that does not read it) and the
/// targets y (B rows of d^(L)). With `deltas`, also Δ^(L) into d (d^(L) × B); without, d is
/// scratch. An elementwise loss is summed per output (kernels::dot's lanes; the outputs added in
/// double), a loss per point over the points in the same lanes (point n in lane n mod V).
template <class OutputTheta, class LossType, bool deltas, class T>
DELTAPROP_ALWAYS_INLINE double output_layer(const T* sL, const T* xL, const T* y, std::size_t dL,
                                            std::size_t B, T* d) {
    constexpr std::size_t V = kernels::lanes<T>;
    double sum = 0;
    if constexpr (!LossType::elementwise) {
        T acc[V] = {};
        for (std::size_t n = 0; n < B; ++n)
            acc[n % V] = acc[n % V] + LossType::point(sL + n, xL + n, B, y + n * dL, 1, dL,
                                                      deltas ? d + n : nullptr);
        return double(kernels::reduce_lanes(acc));
    } else {
        if (B == 1) {  // one SGD point: the lanes below would hold one term and zeros: same bits
            for (std::size_t j = 0; j < dL; ++j) {
                sum += double(LossType::add_error(T(0), sL[j], xL[j], y[j]));
                if (deltas) d[j] = LossType::template delta<OutputTheta>(sL[j], xL[j], y[j]);
            }
            return sum;
        }
        for (std::size_t j = 0; j < dL; ++j) {
            const T* x = xL + j * B;
            const T* s = sL + j * B;
            T* dj = d + j * B;
            const T* yj = y;  // output j's targets, contiguous
            if (dL > 1) {
                for (std::size_t n = 0; n < B; ++n) dj[n] = y[n * dL + j];
                yj = dj;
            }
            T acc[V] = {};
            std::size_t n = 0;
            for (; n + V <= B; n += V)
                for (std::size_t k = 0; k < V; ++k) {
                    acc[k] = LossType::add_error(acc[k], s[n + k], x[n + k], yj[n + k]);
                    if (deltas)
                        dj[n + k] = LossType::template delta<OutputTheta>(s[n + k], x[n + k], yj[n + k]);
                }
            for (std::size_t k = 0; n < B; ++n, ++k) {
                acc[k] = LossType::add_error(acc[k], s[n], x[n], yj[n]);
                if (deltas) dj[n] = LossType::template delta<OutputTheta>(s[n], x[n], yj[n]);
            }
            sum += double(kernels::reduce_lanes(acc));
        }
        return sum;
    }
}

// The bodies of the elementwise steps below, each written once over the parts and
// instantiated through parts.hpp for the layer's θ (or the output's θ and loss).
template <class T>
DELTAPROP_ALWAYS_INLINE void activate_layer_body(Activation a, T* s, std::size_t d, std::size_t B) {
    with_activation(a, [&](auto A) DELTAPROP_INLINE_LAMBDA { activate<decltype(A)>(s, d, B); });
}
template <class T>
DELTAPROP_ALWAYS_INLINE double output_layer_body(Output output, Loss loss, bool deltas,
                                                 const T* sL, const T* xL, const T* y,
                                                 std::size_t dL, std::size_t B, T* d) {
    return with_loss(output, loss, [&](auto out, auto L) DELTAPROP_INLINE_LAMBDA {
        using O = decltype(out);
        using LossType = decltype(L);
        return deltas ? output_layer<O, LossType, true>(sL, xL, y, dL, B, d)
                      : output_layer<O, LossType, false>(sL, xL, y, dL, B, d);
    });
}
template <class T>
DELTAPROP_ALWAYS_INLINE void times_derivative_body(Activation a, std::size_t n, const T* x, T* d) {
    with_activation(a, [&](auto A) DELTAPROP_INLINE_LAMBDA {
        if constexpr (decltype(A)::hidden) times_derivative<decltype(A)>(n, x, d);
    });
}

}  // namespace detail

// The elementwise steps of the path, compiled for several instruction sets like the core's
// loops (simd.hpp), with the parts' formulas inlined.

/// X^(ℓ) = θ(S^(ℓ)) in place for a layer of d units and B points, θ = a.
DELTAPROP_MULTIVERSION inline void activate_layer(Activation a, double* s, std::size_t d,
                                                  std::size_t B) {
    detail::activate_layer_body(a, s, d, B);
}
DELTAPROP_MULTIVERSION inline void activate_layer(Activation a, float* s, std::size_t d,
                                                  std::size_t B) {
    detail::activate_layer_body(a, s, d, B);
}
/// The block's E from S^(L), X^(L) and the targets, and with `deltas` Δ^(L) into d (see
/// detail::output_layer).
DELTAPROP_MULTIVERSION inline double output_layer(Output output, Loss loss, bool deltas,
                                                  const double* sL, const double* xL,
                                                  const double* y, std::size_t dL,
                                                  std::size_t B, double* d) {
    return detail::output_layer_body(output, loss, deltas, sL, xL, y, dL, B, d);
}
DELTAPROP_MULTIVERSION inline double output_layer(Output output, Loss loss, bool deltas,
                                                  const float* sL, const float* xL,
                                                  const float* y, std::size_t dL, std::size_t B,
                                                  float* d) {
    return detail::output_layer_body(output, loss, deltas, sL, xL, y, dL, B, d);
}
/// d[i] ← d[i]·θ'(s_i) for n values of a hidden layer whose θ is a, θ' from x[i] = θ(s_i).
DELTAPROP_MULTIVERSION inline void times_hidden_derivative(Activation a, std::size_t n,
                                                           const double* x, double* d) {
    detail::times_derivative_body(a, n, x, d);
}
DELTAPROP_MULTIVERSION inline void times_hidden_derivative(Activation a, std::size_t n,
                                                           const float* x, float* d) {
    detail::times_derivative_body(a, n, x, d);
}

/// Forward propagation of B points whose inputs ws holds already (X^(0) in x(0), or
/// input_rows()): fills X^(1..L). Returns X^(L).
template <class T>
const T* propagate(const Network<T>& net, std::size_t B, Workspace<T>& ws) {
    const std::size_t L = net.n_layers(), d0 = net.layout().n_inputs();
    const T* x0 = ws.input_rows();
    for (std::size_t l = 1; l <= L; ++l) {
        const std::size_t d_in = net.layout().dim(l - 1), d_out = net.layout().dim(l);
        const T* W = net.weights(l);
        T* s = ws.x(l);
        for (std::size_t j = 0; j < d_out; ++j)  // S^(ℓ) starts as the biases, row 0 of W^(ℓ)
            for (std::size_t n = 0; n < B; ++n) s[j * B + n] = W[j];
        if (l == 1 && x0)  // X^(0) = x0ᵀ
            gemm(Trans::yes, Trans::yes, d_out, B, d_in, W + d_out, d_out, x0, d0, T(1), s, B);
        else
            gemm(Trans::yes, Trans::no, d_out, B, d_in, W + d_out, d_out, ws.x(l - 1), B, T(1), s, B);
        if (l == L && net.keeps_output_signal())  // S^(L), for the loss
            std::copy(s, s + d_out * B, ws.output_signal());
        activate_layer(net.activation(l), s, d_out, B);  // X^(ℓ) = θ(S^(ℓ))
    }
    return ws.x(L);
}

/// X^(0) of ws from the rows rows[0..B) of x (row-major, d^(0) wide), for forward propagation
/// by propagate(). Eight points at a time, so that each write fills a cache line (a point-by-
/// point transpose of wide rows measured about as slow as the forward product).
template <class T>
void gather_columns(const Layout& layout, const T* x, const std::uint64_t* rows, std::size_t B,
                    Workspace<T>& ws) {
    const std::size_t d0 = layout.n_inputs();
    ws.check_fits(layout, B);
    T* in = ws.x(0);
    for (std::size_t r0 = 0; r0 < B; r0 += 8) {
        const std::size_t width = std::min<std::size_t>(8, B - r0);
        const T* point[8];
        for (std::size_t r = 0; r < width; ++r) point[r] = x + rows[r0 + r] * d0;
        for (std::size_t i = 0; i < d0; ++i)
            for (std::size_t r = 0; r < width; ++r) in[i * B + r0 + r] = point[r][i];
    }
    ws.set_input_rows(nullptr);
}

/// Forward propagation of B points given as rows x0 (B × d^(0), row-major): fills X^(1..L)
/// in ws, and X^(0) unless BLAS reads the rows x0 directly (see Workspace::input_rows).
/// Returns X^(L) (d^(L) × B): h(x_n) is its column n.
template <class T>
const T* forward(const Network<T>& net, const T* x0, std::size_t B, Workspace<T>& ws) {
    const std::size_t d0 = net.layout().n_inputs();
    ws.check_fits(net.layout(), B);
    // One point is a column already: it is copied, so that x(0) holds it for sgd_update.
    const bool rows = B > 1 && goes_to_blas(net.layout().dim(1), B, d0);
    ws.set_input_rows(rows ? x0 : nullptr);
    if (!rows) {
        T* in = ws.x(0);
        for (std::size_t n = 0; n < B; ++n)  // rows → columns
            for (std::size_t i = 0; i < d0; ++i) in[i * B + n] = x0[n * d0 + i];
    }
    return propagate(net, B, ws);
}

/// S^(L) of the block after forward(), for the loss: kept apart when the loss reads it, else
/// X^(L) (which such a loss does not read).
template <class T>
const T* output_signal(const Network<T>& net, const Workspace<T>& ws) {
    return net.keeps_output_signal() ? ws.output_signal() : ws.x(net.n_layers());
}

/// The block's E, Σ_n e_n (Σ ‖x^(L) − y‖² for the squared error), after forward(), from the
/// targets y (B rows of d^(L)); uses Δ^(L) of ws as scratch.
template <class T>
double block_error(const Network<T>& net, const T* y, std::size_t B, Workspace<T>& ws) {
    const std::size_t L = net.n_layers();
    return output_layer(net.output(), net.loss(), false, output_signal(net, ws), ws.x(L), y,
                        net.layout().n_outputs(), B, ws.delta(L));
}

/// Backpropagation, after forward(): fills Δ^(L..1) in ws from the targets y (B rows of
/// d^(L)): Δ^(L) from the loss, then Δ^(ℓ) = θ'(S^(ℓ)) ⊙ [W^(ℓ+1) Δ^(ℓ+1)]. Returns the
/// block's E, as block_error().
template <class T>
double backward(const Network<T>& net, const T* y, std::size_t B, Workspace<T>& ws) {
    const std::size_t L = net.n_layers();
    const double sum = output_layer(net.output(), net.loss(), true, output_signal(net, ws),
                                    ws.x(L), y, net.layout().dim(L), B, ws.delta(L));
    for (std::size_t l = L - 1; l >= 1; --l) {  // δ^(ℓ) = θ'(s^(ℓ)) ⊗ [W^(ℓ+1) δ^(ℓ+1)]_1^d(ℓ)
        const std::size_t d = net.layout().dim(l), d_next = net.layout().dim(l + 1);
        T* dl = ws.delta(l);
        gemm(Trans::no, Trans::no, d, B, d_next, net.weights(l + 1) + d_next, d_next,
             ws.delta(l + 1), B, T(0), dl, B);
        times_hidden_derivative(net.activation(l), d * B, ws.x(l), dl);
    }
    return sum;
}

/// How accumulate_gradient stores rows 1.. of G^(1) (the weights of the inputs, d^(0) × d^(1)):
/// like the weights, or transposed (d^(1) × d^(0)) for the evaluator, whose partial sums are
/// its own (see Evaluator::run).
enum class FirstLayer { as_weights, transposed };

/// After backward(): G^(ℓ) += [1; X^(ℓ-1)] Δ^(ℓ)ᵀ for ℓ = 1..L, into g laid out like the
/// weights, except rows 1.. of G^(1) with FirstLayer::transposed:  G^(1)[1:]ᵀ += Δ^(1) X^(0)ᵀ.
/// When X^(0) is the caller's rows (B × d^(0)), that is a product of two untransposed matrices,
/// which OpenBLAS runs faster than X^(0)'s rows transposed times Δ^(1) transposed (measured on
/// workload C, see benchmarks/RESULTS.md).
/// Either way each entry is a fixed dot product (Σ over the block's points), so the core's own
/// loops give the same bits in both layouts. (Summed over the block, not yet divided by N.)
template <class T>
void accumulate_gradient(const Network<T>& net, std::size_t B, const Workspace<T>& ws, T* g,
                         FirstLayer first = FirstLayer::as_weights) {
    for (std::size_t l = 1; l <= net.n_layers(); ++l) {
        const std::size_t d_in = net.layout().dim(l - 1), d_out = net.layout().dim(l);
        T* gl = g + net.layout().offset(l);
        const T* dl = ws.delta(l);
        for (std::size_t j = 0; j < d_out; ++j)  // row 0: the bias input is 1
            gl[j] += kernels::sum(B, dl + j * B);
        const bool rows = l == 1 && ws.input_rows();  // X^(0) = (the rows)ᵀ
        const T* x = rows ? ws.input_rows() : ws.x(l - 1);
        const std::size_t ldx = rows ? d_in : B;
        if (l == 1 && first == FirstLayer::transposed)
            gemm(Trans::no, rows ? Trans::no : Trans::yes, d_out, d_in, B, dl, B, x, ldx, T(1),
                 gl + d_out, d_in);
        else
            gemm(rows ? Trans::yes : Trans::no, Trans::yes, d_in, d_out, B, x, ldx, dl, B, T(1),
                 gl + d_out, d_out);
    }
}

}  // namespace deltaprop
