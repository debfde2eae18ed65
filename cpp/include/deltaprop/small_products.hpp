// deltaprop/small_products.hpp — the core's own loops for products too small for BLAS, and
// the fixed order of summation every path of the core shares (so that each gives the same bits
// on every instruction set and for any path taken).
#pragma once

#include <cstddef>
#include <cstring>

#include "deltaprop/simd.hpp"

namespace deltaprop {

namespace kernels {

// The building blocks of the small products. Each keeps a fixed order of operations that does
// not depend on the instruction set, and every product is a mul_add (simd.hpp), so every build
// gives the same bits.

/// y[0..n) += a·x[0..n), each y[i] = a·x[i] + y[i] rounded once
template <class T>
DELTAPROP_ALWAYS_INLINE void axpy(std::size_t n, T a, const T* x, T* y) {
    for (std::size_t i = 0; i < n; ++i) y[i] = mul_add(a, x[i], y[i]);
}

/// The core's fixed order of summation: partial sums in `lanes<T>` interleaved lanes, one
/// 512-bit register's worth (8 doubles, 16 floats), element i going to lane i mod lanes<T>;
/// then the lanes added pairwise by halving (lane k += lane k + h for h = lanes/2, lanes/4, ...).
/// Narrower instruction sets compute the same lanes in two or four registers, so every build
/// gives the same bits, and a loop over lane-sized chunks of points can keep the partial sums
/// in one register.
template <class T>
inline constexpr std::size_t lanes = 64 / sizeof(T);

#ifdef DELTAPROP_PACKS
/// acc[0] after acc[k] += acc[k + h] for k < h, h = n/2, n/4, ..., 1, on vectors of
/// decreasing width (the lower half plus the upper half), so that it takes log2(n) vector
/// additions instead of n − 1 dependent scalar ones through memory: the same additions of the
/// same values, so the same bits.
template <std::size_t n, class T>
DELTAPROP_ALWAYS_INLINE T reduce_halving(const T* acc) {
    if constexpr (n == 1) {
        return acc[0];
    } else {
        typedef T Half __attribute__((vector_size(n / 2 * sizeof(T))));
        Half lower, upper;
        std::memcpy(&lower, acc, sizeof lower);
        std::memcpy(&upper, acc + n / 2, sizeof upper);
        const Half sum = lower + upper;
        T halved[n / 2];
        std::memcpy(halved, &sum, sizeof sum);
        return reduce_halving<n / 2>(halved);
    }
}
template <class T>
DELTAPROP_ALWAYS_INLINE T reduce_lanes(const T* acc) {
    return reduce_halving<lanes<T>>(acc);
}
#else
template <class T>
DELTAPROP_ALWAYS_INLINE T reduce_lanes(const T* acc) {
    T sums[lanes<T>];
    for (std::size_t k = 0; k < lanes<T>; ++k) sums[k] = acc[k];
    for (std::size_t h = lanes<T> / 2; h > 0; h /= 2)
        for (std::size_t k = 0; k < h; ++k) sums[k] += sums[k + h];
    return sums[0];
}
#endif

/// Σ x[i]·y[i] in the fixed order above, each term added by a mul_add.
template <class T>
DELTAPROP_ALWAYS_INLINE T dot_lanes(std::size_t n, const T* x, const T* y) {
    constexpr std::size_t V = lanes<T>;
    T acc[V] = {};
    std::size_t i = 0;
    for (; i + V <= n; i += V)
        for (std::size_t k = 0; k < V; ++k) acc[k] = mul_add(x[i + k], y[i + k], acc[k]);
    for (std::size_t k = 0; i < n; ++i, ++k) acc[k] = mul_add(x[i], y[i], acc[k]);
    return reduce_lanes(acc);
}
/// Σ x[i], in the same order.
template <class T>
DELTAPROP_ALWAYS_INLINE T sum_lanes(std::size_t n, const T* x) {
    constexpr std::size_t V = lanes<T>;
    T acc[V] = {};
    std::size_t i = 0;
    for (; i + V <= n; i += V)
        for (std::size_t k = 0; k < V; ++k) acc[k] += x[i + k];
    for (std::size_t k = 0; i < n; ++i, ++k) acc[k] += x[i];
    return reduce_lanes(acc);
}
DELTAPROP_MULTIVERSION inline double sum(std::size_t n, const double* x) { return sum_lanes(n, x); }
DELTAPROP_MULTIVERSION inline float sum(std::size_t n, const float* x) { return sum_lanes(n, x); }

DELTAPROP_MULTIVERSION inline double dot(std::size_t n, const double* x, const double* y) {
    return dot_lanes(n, x, y);
}
DELTAPROP_MULTIVERSION inline float dot(std::size_t n, const float* x, const float* y) {
    return dot_lanes(n, x, y);
}

#ifdef DELTAPROP_PACKS
/// c[0..n) += Σ_p A(p)·B[p][0..n) for p = 0..k−1 in turn, A(p) = a[p·a_step]: one row of C in
/// the order of axpy loops over p (each term fused into C's value), with Q packs of C held in
/// registers while p runs rather than stored and loaded again for every p. Those round trips
/// bounded the axpy loops at a store a cycle (measured slower than OpenBLAS on 2-10's forward
/// product; see benchmarks/RESULTS.md).
template <class T>
DELTAPROP_ALWAYS_INLINE void row_of_products(std::size_t n, std::size_t k, const T* a,
                                             std::size_t a_step, const T* b, std::size_t ldb,
                                             T* c) {
    using detail::load;
    using detail::store;
    constexpr std::size_t V = lanes<T>, Q = 4;
    std::size_t j = 0;
    for (; j + Q * V <= n; j += Q * V) {
        Pack<T> acc[Q];
        DELTAPROP_UNROLL for (std::size_t q = 0; q < Q; ++q) acc[q] = load(c + j + q * V);
        for (std::size_t p = 0; p < k; ++p) {
            const Pack<T> ap = splat<Pack<T>>(a[p * a_step]);
            DELTAPROP_UNROLL for (std::size_t q = 0; q < Q; ++q)
                acc[q] = mul_add(ap, load(b + p * ldb + j + q * V), acc[q]);
        }
        DELTAPROP_UNROLL for (std::size_t q = 0; q < Q; ++q) store(c + j + q * V, acc[q]);
    }
    for (; j + V <= n; j += V) {
        Pack<T> acc = load(c + j);
        for (std::size_t p = 0; p < k; ++p)
            acc = mul_add(splat<Pack<T>>(a[p * a_step]), load(b + p * ldb + j), acc);
        store(c + j, acc);
    }
    for (; j < n; ++j)
        for (std::size_t p = 0; p < k; ++p) c[j] = mul_add(a[p * a_step], b[p * ldb + j], c[j]);
}
#endif

/// C (m×n) += op(A) op(B) in the core's loops; see gemm below.
///
/// The core keeps a block's activations feature-major (one row per unit, one column per data
/// point, as the lecture's x_n are columns), so in every product of the small path the
/// longest dimension, the B points of a block, is contiguous: the loops below run along it.
template <class T>
DELTAPROP_ALWAYS_INLINE void small_gemm_body(bool ta, bool tb, std::size_t m, std::size_t n,
                                             std::size_t k, const T* a, std::size_t lda,
                                             const T* b, std::size_t ldb, T* c,
                                             std::size_t ldc) {
    if (n == 1 && !ta && tb) {  // C[i] += A[i,:]·B[0,:], both rows
        for (std::size_t i = 0; i < m; ++i) c[i * ldc] += dot_lanes(k, a + i * lda, b);
        return;
    }
    if (n == 1) {  // one data point (SGD): added into C in the same order as the axpy loops
                   // below, so a point gets the same bits in any block
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t p = 0; p < k; ++p)
                c[i * ldc] = mul_add(ta ? a[p * lda + i] : a[i * lda + p], tb ? b[p] : b[p * ldb],
                                     c[i * ldc]);
        return;
    }
#ifdef DELTAPROP_PACKS
    if (!tb) {  // C[i,:] += A(i,p) B[p,:], A(i,p) = A[i,p] or A[p,i]
        for (std::size_t i = 0; i < m; ++i)
            row_of_products(n, k, ta ? a + i : a + i * lda, ta ? lda : 1, b, ldb, c + i * ldc);
        return;
    }
#endif
    if (!ta && !tb) {  // C[i,:] += A[i,p] B[p,:]
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t p = 0; p < k; ++p) axpy(n, a[i * lda + p], b + p * ldb, c + i * ldc);
    } else if (ta && !tb) {  // C[i,:] += A[p,i] B[p,:]
        for (std::size_t p = 0; p < k; ++p)
            for (std::size_t i = 0; i < m; ++i) axpy(n, a[p * lda + i], b + p * ldb, c + i * ldc);
    } else if (!ta && tb) {  // C[i,j] += A[i,:]·B[j,:]
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j)
                c[i * ldc + j] += dot_lanes(k, a + i * lda, b + j * ldb);
    } else {
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                T s = T(0);
                for (std::size_t p = 0; p < k; ++p) s = mul_add(a[p * lda + i], b[j * ldb + p], s);
                c[i * ldc + j] += s;
            }
    }
}
DELTAPROP_MULTIVERSION inline void small_gemm(bool ta, bool tb, std::size_t m, std::size_t n,
                                              std::size_t k, const double* a, std::size_t lda,
                                              const double* b, std::size_t ldb, double* c,
                                              std::size_t ldc) {
    small_gemm_body(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
}
DELTAPROP_MULTIVERSION inline void small_gemm(bool ta, bool tb, std::size_t m, std::size_t n,
                                              std::size_t k, const float* a, std::size_t lda,
                                              const float* b, std::size_t ldb, float* c,
                                              std::size_t ldc) {
    small_gemm_body(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
}

}  // namespace kernels

}  // namespace deltaprop
