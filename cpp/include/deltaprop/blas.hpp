// deltaprop/blas.hpp — the BLAS shim: one `gemm` for float and double.
//
// Large products go to a CBLAS (OpenBLAS from scipy-openblas32, MKL, BLIS, Accelerate, ...);
// small ones run in plain loops here, because below a few thousand multiply-adds a BLAS call
// costs more than the work. The CBLAS routines are declared here rather than taken from a
// vendor's cblas.h, so any CBLAS links; DELTAPROP_BLAS_PREFIX names the symbol prefix of
// builds that rename their symbols (scipy-openblas32 uses `scipy_`). CMake sets it.
#pragma once

#include <cstddef>

#ifndef DELTAPROP_BLAS_PREFIX
#define DELTAPROP_BLAS_PREFIX
#endif
#define DELTAPROP_CAT_(a, b) a##b
#define DELTAPROP_CAT(a, b) DELTAPROP_CAT_(a, b)
#define DELTAPROP_BLAS(name) DELTAPROP_CAT(DELTAPROP_BLAS_PREFIX, name)

extern "C" {
// CBLAS enums are ints in the C ABI: RowMajor = 101, NoTrans = 111, Trans = 112.
void DELTAPROP_BLAS(cblas_dgemm)(int order, int trans_a, int trans_b, int m, int n, int k,
                                 double alpha, const double* a, int lda, const double* b,
                                 int ldb, double beta, double* c, int ldc);
void DELTAPROP_BLAS(cblas_sgemm)(int order, int trans_a, int trans_b, int m, int n, int k,
                                 float alpha, const float* a, int lda, const float* b, int ldb,
                                 float beta, float* c, int ldc);
}

namespace deltaprop {

enum class Trans { no, yes };

namespace blas {

/// Products with at most this many multiply-adds run in the core's own loops. Measured by
/// benchmarks/gemm_switch.py: below it the BLAS call overhead exceeds the arithmetic.
inline constexpr std::size_t small_product_limit = 24 * 24 * 24;

inline void cblas_gemm(Trans ta, Trans tb, int m, int n, int k, double alpha, const double* a,
                       int lda, const double* b, int ldb, double beta, double* c, int ldc) {
    DELTAPROP_BLAS(cblas_dgemm)(101, ta == Trans::yes ? 112 : 111, tb == Trans::yes ? 112 : 111,
                                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
inline void cblas_gemm(Trans ta, Trans tb, int m, int n, int k, float alpha, const float* a,
                       int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    DELTAPROP_BLAS(cblas_sgemm)(101, ta == Trans::yes ? 112 : 111, tb == Trans::yes ? 112 : 111,
                                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace blas

/// C (m×n) = op(A) op(B) + beta·C, all row-major; op(A) is m×k, op(B) is k×n.
/// beta is 0 (overwrite, C may hold garbage) or 1 (accumulate).
template <class T>
void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    if (m == 0 || n == 0) return;
    if (m * n * k > blas::small_product_limit) {
        blas::cblas_gemm(ta, tb, int(m), int(n), int(k), T(1), a, int(lda), b, int(ldb), beta, c,
                         int(ldc));
        return;
    }
    if (beta == T(0))
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = T(0);
    // Loop orders keep the innermost loop running along a contiguous row of C (or of both
    // operands), so the compiler vectorises it.
    if (ta == Trans::no && tb == Trans::no) {
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t p = 0; p < k; ++p) {
                const T aip = a[i * lda + p];
                const T* brow = b + p * ldb;
                T* crow = c + i * ldc;
                for (std::size_t j = 0; j < n; ++j) crow[j] += aip * brow[j];
            }
    } else if (ta == Trans::no && tb == Trans::yes) {
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const T* arow = a + i * lda;
                const T* brow = b + j * ldb;
                T s = T(0);
                for (std::size_t p = 0; p < k; ++p) s += arow[p] * brow[p];
                c[i * ldc + j] += s;
            }
    } else if (ta == Trans::yes && tb == Trans::no) {
        for (std::size_t p = 0; p < k; ++p)
            for (std::size_t i = 0; i < m; ++i) {
                const T api = a[p * lda + i];
                const T* brow = b + p * ldb;
                T* crow = c + i * ldc;
                for (std::size_t j = 0; j < n; ++j) crow[j] += api * brow[j];
            }
    } else {
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                T s = T(0);
                for (std::size_t p = 0; p < k; ++p) s += a[p * lda + i] * b[j * ldb + p];
                c[i * ldc + j] += s;
            }
    }
}

}  // namespace deltaprop
