// deltaprop/gemm.hpp — one matrix product for the whole core, C = op(A) op(B) + βC: the large
// products go to BLAS (blas.hpp), the small ones to the core's loops (small_products.hpp),
// because below a few thousand multiply-adds a BLAS call costs more than the work.
#pragma once

#include <cstddef>

#include "deltaprop/blas.hpp"
#include "deltaprop/small_products.hpp"

namespace deltaprop {

namespace blas {

/// Products with at most this many multiply-adds run in the core's own loops. Measured by
/// benchmarks/gemm_switch.py: below it the BLAS call overhead exceeds the arithmetic.
inline constexpr std::size_t small_product_limit = 24 * 24 * 24;

}  // namespace blas

/// Whether gemm sends a product of m·n·k multiply-adds to BLAS rather than the core's loops.
inline bool goes_to_blas(std::size_t m, std::size_t n, std::size_t k) {
    return m * n * k > blas::small_product_limit;
}

/// C (m×n) = op(A) op(B) + beta·C, all row-major; op(A) is m×k, op(B) is k×n.
/// beta is 0 (overwrite, C may hold garbage) or 1 (accumulate).
/// Products of more than blas::small_product_limit multiply-adds go to BLAS, the rest to
/// kernels::small_gemm.
template <class T>
void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    if (m == 0 || n == 0) return;
    if (goes_to_blas(m, n, k)) {
        blas::use_one_thread();
        blas::cblas_gemm(ta, tb, int(m), int(n), int(k), T(1), a, int(lda), b, int(ldb), beta, c,
                         int(ldc));
        return;
    }
    if (beta == T(0))
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = T(0);
    kernels::small_gemm(ta == Trans::yes, tb == Trans::yes, m, n, k, a, lda, b, ldb, c, ldc);
}

}  // namespace deltaprop
