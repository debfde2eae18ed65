// deltaprop/blas.hpp — the BLAS shim: cblas_gemm for float and double, through whatever CBLAS
// the build links (OpenBLAS from scipy-openblas32, MKL, BLIS, Accelerate, ...). gemm.hpp sends
// the large products here and the small ones to the core's loops (small_products.hpp).
// The CBLAS routines are declared here rather than taken from a vendor's cblas.h, so any CBLAS
// links; DELTAPROP_BLAS_PREFIX names the symbol prefix of builds that rename their symbols
// (scipy-openblas32 uses `scipy_`). CMake sets it.
#pragma once

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
#ifdef DELTAPROP_OPENBLAS
void DELTAPROP_BLAS(openblas_set_num_threads)(int n);
#endif
void DELTAPROP_BLAS(cblas_sgemm)(int order, int trans_a, int trans_b, int m, int n, int k,
                                 float alpha, const float* a, int lda, const float* b, int ldb,
                                 float beta, float* c, int ldc);
}

namespace deltaprop {

enum class Trans { no, yes };

namespace blas {

/// The core runs its own threads over row blocks, one BLAS call per block, so BLAS itself must
/// stay on one thread (else 2 × 2 threads fight over 2 cores, and OpenBLAS's idle threads spin).
/// Only OpenBLAS has a portable switch; CMake defines DELTAPROP_OPENBLAS when it found it.
inline void use_one_thread() {
#ifdef DELTAPROP_OPENBLAS
    static const bool done = [] {
        DELTAPROP_BLAS(openblas_set_num_threads)(1);
        return true;
    }();
    (void)done;
#endif
}

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

}  // namespace deltaprop
