// deltaprop/fused_block.hpp — forward propagation, backpropagation of δ and the gradient of a
// block of points through a small network, all layers at once, one chunk of points at a time.
//
// propagation.hpp goes layer by layer over the whole block: for the course's 2-10-1 network that
// is some forty short loops per block, each a pass through memory for a handful of arithmetic
// operations. Here the block is walked in chunks of V = kernels::lanes<T> points (8 doubles or 16
// floats: one 512-bit register per quantity), and each chunk goes through every layer forward,
// the output error, every δ backward and its contributions to the gradient before the next chunk
// starts; a chunk's activations, d^(ℓ) × V, stay in L1.
//
// Same equations, same bits. θ and the loss are the same parts as in propagation.hpp (parts.hpp
// picks them for both paths, per layer and once per chunk), and every quantity is computed by the same operations in the same
// order as there and in the core's small products (small_products.hpp): signals start at the bias and
// add w·x in input order, sensitivities start at 0 and add w·δ in unit order, each by a
// mul_add, and the gradient's sums over the block are kept in V lanes (point n of the block in
// lane n mod V) and reduced with kernels::reduce_lanes at the end of the block, exactly as
// kernels::dot and kernels::sum order them. So the path taken never shows in the results;
// tests/cpp/test_fused_block.cpp checks it.
// It applies only where every product of a block would run in the core's loops (not BLAS),
// which is what makes that exactness possible and is where the layer-by-layer path is slow.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "deltaprop/gemm.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/parts.hpp"
#include "deltaprop/simd.hpp"
#include "deltaprop/small_products.hpp"

namespace deltaprop {

/// Whether every product of a block of `block_rows` points (forward, backward and gradient of
/// each layer) is small enough for the core's loops rather than BLAS.
inline bool block_products_stay_in_loops(const Layout& layout, std::size_t block_rows) {
    if (layout.n_layers() == 0) return false;
    for (std::size_t l = 1; l <= layout.n_layers(); ++l)
        if (layout.dim(l - 1) * layout.dim(l) * block_rows > blas::small_product_limit)
            return false;
    return true;
}

/// Whether the code that runs here holds a pack in one register. Below AVX-512, GCC lowers
/// the comparisons of a 64-byte pack (tanh's clamp) lane by lane through general registers: an
/// AVX2 build measured the fused path several times slower than its layer-by-layer path, whose
/// loops vectorise at the CPU's width.
/// Either path gives the same bits, so the choice never shows in results.
inline bool packs_fit_registers() {
#if defined(DELTAPROP_CLONES)  // the x86-64-v4 clone runs where the CPU has its instructions
    static const bool v4 =
        __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd");
    return v4;
#elif defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__AVX512F__)
    return false;  // GCC without clones, compiled below AVX-512
#else
    return true;
#endif
}

/// Whether blocks of `block_rows` points of this layout take the fused path: where all their
/// products stay in the core's loops, which is what it reproduces bit for bit, and the CPU
/// holds a pack in a register.
inline bool fits_fused_path(const Layout& layout, std::size_t block_rows) {
#ifndef DELTAPROP_PACKS
    (void)layout, (void)block_rows;
    return false;  // compilers without vector types take the layer-by-layer path
#else
    return block_products_stay_in_loops(layout, block_rows) && packs_fit_registers();
#endif
}

/// One chunk's columns: X^(ℓ) and Δ^(ℓ) as d^(ℓ) × P for a chunk of P = G·V points (G packs
/// of V lanes), its targets Y and output signals S^(L) (for a loss that reads them) as
/// d^(L) × P, and its points' terms of E (P values, for a loss per point); n of the P points
/// are real.
template <class T>
struct Chunk {
    const std::size_t* offsets = nullptr;  // where layer ℓ's rows start, in values
    T* x_base = nullptr;
    T* delta_base = nullptr;
    T* y = nullptr;
    T* signal = nullptr;
    T* point_errors = nullptr;
    std::size_t n = 0;
    T* x(std::size_t l) const { return x_base + offsets[l]; }
    T* delta(std::size_t l) const { return delta_base + offsets[l]; }
};

/// The fused path's scratch: a chunk, and the block's partial sums in V lanes: one per weight
/// (laid out like the weights) and one per output for Σ e². Allocated once per thread.
template <class T>
class ChunkWorkspace {
public:
    static constexpr std::size_t V = kernels::lanes<T>;
    /// Packs per chunk. A chunk's layers depend on each other (a δ waits for the tanh of the
    /// layer above, which waits for all its inputs), and a tanh is a chain of some twenty
    /// dependent operations: G independent packs per step give the processor other work while
    /// one waits. 8 packs measured faster than 4 or 2 on 2-10-1 in both types; 16 (a double
    /// block in one chunk) a little faster still, but a float chunk would then pass a block.
    static constexpr std::size_t G = 8;
    static constexpr std::size_t P = G * V;

    ChunkWorkspace() = default;
    explicit ChunkWorkspace(const Layout& layout) : layout_(layout) {
        std::size_t units = 0;
        for (std::size_t l = 0; l <= layout.n_layers(); ++l) {
            offsets_.push_back(units * P);
            units += layout.dim(l);
        }
        // the chunk: x and delta of every layer's units (delta of layer 0 unused), y, the
        // output signals and the points' errors
        const std::size_t dL = layout.n_outputs();
        chunk_values_ = (2 * units + 2 * dL + 1) * P;
        allocate(buffer_, chunk_values_ + (dL + layout.n_weights()) * V, T(0),
                 "the fused path's workspace");
        units_ = units;
    }
    const Layout& layout() const { return layout_; }
    /// Bytes of scratch held.
    std::size_t bytes() const { return buffer_.size() * sizeof(T); }

    /// The chunk's addresses as a value, which the compiler keeps in registers. Read from the
    /// workspace's members instead, they were read again after every store of a pack (such a
    /// store may alias them as far as the compiler knows), measurably slower.
    Chunk<T> chunk() {
        Chunk<T> c;
        c.offsets = offsets_.data();
        c.x_base = buffer_.data();
        c.delta_base = c.x_base + units_ * P;
        c.y = c.delta_base + units_ * P;
        c.signal = c.y + layout_.n_outputs() * P;
        c.point_errors = c.signal + layout_.n_outputs() * P;
        return c;
    }
    T* error_lanes() { return buffer_.data() + chunk_values_; }
    T* gradient_lanes() { return error_lanes() + layout_.n_outputs() * V; }

private:
    Layout layout_;
    std::vector<std::size_t> offsets_;
    std::size_t units_ = 0, chunk_values_ = 0;
    AlignedVector<T> buffer_;  // every pack on a cache line of its own: offsets are whole packs
};

#ifdef DELTAPROP_PACKS
namespace detail {

/// lanes[k] ← add(lanes[k], g)[k] for the chunk's packs g = 0, 1, ... in turn (the points'
/// order), for its first n points: all of them in a full chunk. add(acc, g) is acc plus pack g's
/// term, a mul_add or a sum. In the last, partial pack only the lanes of real points take the new
/// value, so lane k ends as the sum over points k, k + V, ... < n that kernels::dot_lanes and
/// sum_lanes form: the same operations on the same values as a loop point by point, which cost
/// a 2-10-1 evaluation on the course's N = 300 (a partial last block) much of its time.
template <class T, class Add>
DELTAPROP_ALWAYS_INLINE void accumulate_lanes(T* lanes, std::size_t n, Add add) {
    constexpr std::size_t V = ChunkWorkspace<T>::V, G = ChunkWorkspace<T>::G;
    Pack<T> acc = load(lanes);
    if (n == G * V) {
        DELTAPROP_UNROLL
        for (std::size_t g = 0; g < G; ++g) acc = add(acc, g);
    } else {
        for (std::size_t g = 0; g * V < n; ++g) {
            const Pack<T> sum = add(acc, g);
            if ((g + 1) * V <= n) {
                acc = sum;
            } else {
                for (std::size_t k = 0; k < n - g * V; ++k) acc[k] = sum[k];
            }
        }
    }
    store(lanes, acc);
}

/// X^(ℓ) = θ(W^(ℓ)ᵀ [1; X^(ℓ-1)]) for one layer of a chunk: d_out rows from d_in, θ the
/// activation type A; with `signal`, S^(ℓ) is stored there too.
template <class A, class T>
DELTAPROP_ALWAYS_INLINE void chunk_layer_forward(const T* W, std::size_t d_in, std::size_t d_out,
                                                 const T* prev, T* out, T* signal) {
    constexpr std::size_t V = ChunkWorkspace<T>::V, G = ChunkWorkspace<T>::G, P = G * V;
    for (std::size_t j = 0; j < d_out; ++j) {
        Pack<T> s[G];
        // the bias first, then the inputs in order
        DELTAPROP_UNROLL
        for (std::size_t g = 0; g < G; ++g) s[g] = splat<Pack<T>>(W[j]);
        for (std::size_t p = 0; p < d_in; ++p) {
            const Pack<T> w = splat<Pack<T>>(W[(p + 1) * d_out + j]);
            DELTAPROP_UNROLL
            for (std::size_t g = 0; g < G; ++g) s[g] = mul_add(w, load(prev + p * P + g * V), s[g]);
        }
        if (signal) {
            DELTAPROP_UNROLL
            for (std::size_t g = 0; g < G; ++g) store(signal + j * P + g * V, s[g]);
        }
        if constexpr (A::elementwise) {
            DELTAPROP_UNROLL
            for (std::size_t g = 0; g < G; ++g) store(out + j * P + g * V, A::value(s[g]));
        } else {
            DELTAPROP_UNROLL
            for (std::size_t g = 0; g < G; ++g) store(out + j * P + g * V, s[g]);
        }
    }
    if constexpr (!A::elementwise) A::columns(out, d_out, P, P);  // θ over each point's units
}

/// Forward propagation of chunk c from c.x(0): X^(ℓ) = θ(W^(ℓ)ᵀ [1; X^(ℓ-1)]), ℓ = 1..L, θ each
/// layer's; S^(L) kept in c.signal when the loss reads it.
template <class T>
DELTAPROP_ALWAYS_INLINE void chunk_forward(const Network<T>& net, const Chunk<T>& c) {
    const Layout& layout = net.layout();
    const std::size_t L = net.n_layers();
    T* signal = net.keeps_output_signal() ? c.signal : nullptr;
    for (std::size_t l = 1; l <= L; ++l)
        with_activation(net.activation(l), [&](auto A) DELTAPROP_INLINE_LAMBDA {
            chunk_layer_forward<decltype(A)>(net.weights(l), layout.dim(l - 1), layout.dim(l),
                                             c.x(l - 1), c.x(l), l == L ? signal : nullptr);
        });
}

/// Adds the loss's terms of chunk c's first n points into the error lanes (one set of lanes per
/// output for an elementwise loss, the first set for a loss per point); with `deltas`, also
/// Δ^(L) from the loss into c.delta(L). OutputTheta and LossType as parts.hpp pairs them.
template <class OutputTheta, class LossType, class T>
DELTAPROP_ALWAYS_INLINE void chunk_error(const Network<T>& net, const Chunk<T>& c,
                                         T* error_lanes, std::size_t n, bool deltas) {
    constexpr std::size_t V = ChunkWorkspace<T>::V, G = ChunkWorkspace<T>::G, P = G * V;
    const std::size_t L = net.n_layers(), dL = net.layout().n_outputs();
    const T* signal = LossType::needs_signal ? c.signal : c.x(L);
    if constexpr (!LossType::elementwise) {
        for (std::size_t p = 0; p < P; ++p)
            c.point_errors[p] = LossType::point(signal + p, c.x(L) + p, P, c.y + p, P, dL,
                                                deltas ? c.delta(L) + p : nullptr);
        accumulate_lanes(error_lanes, n, [&](Pack<T> acc, std::size_t g) DELTAPROP_INLINE_LAMBDA {
            return acc + load(c.point_errors + g * V);
        });
        return;
    } else {
        for (std::size_t j = 0; j < dL; ++j) {
            Pack<T> s[G], x[G], y[G];
            DELTAPROP_UNROLL for (std::size_t g = 0; g < G; ++g) {
                s[g] = load(signal + j * P + g * V);
                x[g] = load(c.x(L) + j * P + g * V);
                y[g] = load(c.y + j * P + g * V);
            }
            accumulate_lanes(error_lanes + j * V, n,
                             [&](Pack<T> acc, std::size_t g) DELTAPROP_INLINE_LAMBDA {
                                 return LossType::add_error(acc, s[g], x[g], y[g]);
                             });
            if (!deltas) continue;
            DELTAPROP_UNROLL for (std::size_t g = 0; g < G; ++g)
                store(c.delta(L) + j * P + g * V,
                      LossType::template delta<OutputTheta>(s[g], x[g], y[g]));
        }
    }
}

/// Backpropagation through one hidden layer ℓ of chunk c, from Δ^(ℓ+1):
/// Δ^(ℓ) = θ'(S^(ℓ)) ⊙ [W^(ℓ+1) Δ^(ℓ+1)], θ' of the layer's activation type A.
template <class A, class T>
DELTAPROP_ALWAYS_INLINE void chunk_layer_backward(const Network<T>& net, const Chunk<T>& c,
                                                  std::size_t l) {
    constexpr std::size_t V = ChunkWorkspace<T>::V, G = ChunkWorkspace<T>::G, P = G * V;
    {
        const std::size_t d = net.layout().dim(l), d_next = net.layout().dim(l + 1);
        const T* W = net.weights(l + 1);
        const T* next = c.delta(l + 1);
        const T* x = c.x(l);
        T* delta = c.delta(l);
        for (std::size_t j = 0; j < d; ++j) {
            Pack<T> s[G] = {};  // W^(ℓ+1) Δ^(ℓ+1) from 0, in unit order
            for (std::size_t p = 0; p < d_next; ++p) {
                const Pack<T> w = splat<Pack<T>>(W[(j + 1) * d_next + p]);
                DELTAPROP_UNROLL
                for (std::size_t g = 0; g < G; ++g)
                    s[g] = mul_add(w, load(next + p * P + g * V), s[g]);
            }
            DELTAPROP_UNROLL for (std::size_t g = 0; g < G; ++g)
                store(delta + j * P + g * V, s[g] * A::derivative(load(x + j * P + g * V)));
        }
    }
}

/// Backpropagation through chunk c's hidden layers ℓ = L−1..1, from Δ^(L).
template <class T>
DELTAPROP_ALWAYS_INLINE void chunk_backward(const Network<T>& net, const Chunk<T>& c) {
    for (std::size_t l = net.n_layers() - 1; l >= 1; --l)
        with_activation(net.activation(l), [&](auto A) DELTAPROP_INLINE_LAMBDA {
            if constexpr (decltype(A)::hidden) chunk_layer_backward<decltype(A)>(net, c, l);
        });
}

/// G^(ℓ) lanes += [1; X^(ℓ-1)] Δ^(ℓ)ᵀ for chunk c's first n points.
template <class T>
DELTAPROP_ALWAYS_INLINE void chunk_gradient(const Network<T>& net, const Chunk<T>& c,
                                            T* gradient_lanes, std::size_t n) {
    constexpr std::size_t V = ChunkWorkspace<T>::V, G = ChunkWorkspace<T>::G, P = G * V;
    for (std::size_t l = 1; l <= net.n_layers(); ++l) {
        const std::size_t d_in = net.layout().dim(l - 1), d_out = net.layout().dim(l);
        T* lanes = gradient_lanes + net.layout().offset(l) * V;
        const T* x = c.x(l - 1);
        const T* dl = c.delta(l);
        Pack<T> terms[G];
        for (std::size_t j = 0; j < d_out; ++j) {  // row 0: the bias input is 1
            DELTAPROP_UNROLL
            for (std::size_t g = 0; g < G; ++g) terms[g] = load(dl + j * P + g * V);
            accumulate_lanes(lanes + j * V, n, [&](Pack<T> acc, std::size_t g)
                                                   DELTAPROP_INLINE_LAMBDA { return acc + terms[g]; });
        }
        for (std::size_t p = 0; p < d_in; ++p) {
            Pack<T> xp[G];
            DELTAPROP_UNROLL for (std::size_t g = 0; g < G; ++g) xp[g] = load(x + p * P + g * V);
            for (std::size_t j = 0; j < d_out; ++j) {
                DELTAPROP_UNROLL
                for (std::size_t g = 0; g < G; ++g) terms[g] = load(dl + j * P + g * V);
                accumulate_lanes(lanes + ((p + 1) * d_out + j) * V, n,
                                 [&](Pack<T> acc, std::size_t g) DELTAPROP_INLINE_LAMBDA {
                                     return mul_add(xp[g], terms[g], acc);
                                 });
            }
        }
    }
}

/// cols[i·P + k] = rows[k·D + i]: n rows of width D into D columns of the chunk. With D and
/// n = P known at compile time GCC turns this into vector loads and shuffles; the point-by-point
/// copy took a tenth of a 2-10-1 epoch.
template <std::size_t D, class T>
DELTAPROP_ALWAYS_INLINE void rows_to_columns(const T* rows, std::size_t n, T* cols) {
    constexpr std::size_t P = ChunkWorkspace<T>::P;
    for (std::size_t i = 0; i < D; ++i)
        for (std::size_t k = 0; k < n; ++k) cols[i * P + k] = rows[k * D + i];
}
template <class T>
DELTAPROP_ALWAYS_INLINE void rows_to_columns(const T* rows, std::size_t width, std::size_t n,
                                             T* cols) {
    constexpr std::size_t P = ChunkWorkspace<T>::P;
    const bool full = n == P;
    switch (width) {  // the widths of the course's networks, as constants
        case 1: return full ? rows_to_columns<1>(rows, P, cols) : rows_to_columns<1>(rows, n, cols);
        case 2: return full ? rows_to_columns<2>(rows, P, cols) : rows_to_columns<2>(rows, n, cols);
        case 3: return full ? rows_to_columns<3>(rows, P, cols) : rows_to_columns<3>(rows, n, cols);
        default:
            for (std::size_t k = 0; k < n; ++k)
                for (std::size_t i = 0; i < width; ++i) cols[i * P + k] = rows[k * width + i];
    }
}

/// Copies n ≤ P points (rows of x0 and y) into chunk c's columns, zero past n.
template <class T>
DELTAPROP_ALWAYS_INLINE void load_chunk(const Layout& layout, const T* x0, const T* y,
                                        std::size_t n, Chunk<T>& c) {
    constexpr std::size_t P = ChunkWorkspace<T>::P;
    const std::size_t d0 = layout.n_inputs(), dL = layout.n_outputs();
    if (n < P) {
        for (std::size_t i = 0; i < d0 * P; ++i) c.x(0)[i] = T(0);
        for (std::size_t i = 0; i < dL * P; ++i) c.y[i] = T(0);
    }
    rows_to_columns(x0, d0, n, c.x(0));
    rows_to_columns(y, dL, n, c.y);
    c.n = n;
}

/// fused_block(): each chunk through every layer (θ chosen per layer), the loss (its type chosen
/// per chunk, from the output θ and the loss: one branch per chunk, and one copy of this loop for
/// all of them, which keeps the module's compile time in bounds), δ and the gradient sums.
template <class T>
DELTAPROP_ALWAYS_INLINE double fused_block_body(const Network<T>& net, const T* x0, const T* y,
                                                std::size_t B, ChunkWorkspace<T>& ws, T* g) {
    constexpr std::size_t V = ChunkWorkspace<T>::V, P = ChunkWorkspace<T>::P;
    const Layout& layout = net.layout();
    const std::size_t d0 = layout.n_inputs(), dL = layout.n_outputs(), nw = layout.n_weights();
    T* error_lanes = ws.error_lanes();
    T* gradient_lanes = ws.gradient_lanes();
    for (std::size_t i = 0; i < dL * V; ++i) error_lanes[i] = T(0);
    if (g)
        for (std::size_t i = 0; i < nw * V; ++i) gradient_lanes[i] = T(0);
    Chunk<T> c = ws.chunk();
    // The chunk's steps, for its first n points: n = P in every chunk but maybe the block's last.
    const auto chunk_steps = [&](std::size_t n) DELTAPROP_INLINE_LAMBDA {
        with_loss(net.output(), net.loss(), [&](auto output, auto loss) DELTAPROP_INLINE_LAMBDA {
            chunk_error<decltype(output), decltype(loss)>(net, c, error_lanes, n, g != nullptr);
        });
        if (!g) return;
        chunk_backward(net, c);
        chunk_gradient(net, c, gradient_lanes, n);
    };
    for (std::size_t start = 0; start < B; start += P) {
        load_chunk(layout, x0 + start * d0, y + start * dL, std::min(B - start, P), c);
        chunk_forward(net, c);
        if (c.n == P)
            chunk_steps(P);  // n known at compile time: the lanes' loops unroll
        else
            chunk_steps(c.n);
    }
    double sum = 0;
    for (std::size_t j = 0; j < dL; ++j) sum += double(kernels::reduce_lanes(error_lanes + j * V));
    if (g)
        for (std::size_t i = 0; i < nw; ++i) g[i] += kernels::reduce_lanes(gradient_lanes + i * V);
    return sum;
}

}  // namespace detail

/// Σ_n e_n (Σ_n ‖h(x_n) − y_n‖² for the squared error) over a block of B points given as rows (x0: B × d^(0), y: B × d^(L)),
/// and, unless g is null, the block's Σ_n x_n^(ℓ-1) (δ_n^(ℓ))ᵀ added into g (n_weights
/// entries, laid out like the weights). Bit for bit what forward, backward and
/// accumulate_gradient of propagation.hpp give, for a network with fits_fused_path.
DELTAPROP_MULTIVERSION inline double fused_block(const Network<double>& net, const double* x0,
                                                 const double* y, std::size_t B,
                                                 ChunkWorkspace<double>& ws, double* g) {
    return detail::fused_block_body(net, x0, y, B, ws, g);
}
DELTAPROP_MULTIVERSION inline double fused_block(const Network<float>& net, const float* x0,
                                                 const float* y, std::size_t B,
                                                 ChunkWorkspace<float>& ws, float* g) {
    return detail::fused_block_body(net, x0, y, B, ws, g);
}
#endif

}  // namespace deltaprop
