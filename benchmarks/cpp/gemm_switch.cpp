// Where does BLAS beat the core's own loops? Times deltaprop::gemm (the core's dispatch: its own
// loops up to blas::small_product_limit multiply-adds, BLAS above) against blas::cblas_gemm
// (always BLAS) on the three products one row block makes in a layer d_in → d_out, with the
// block's B points as columns (propagation.hpp):
//   forward   S^(ℓ) += W^(ℓ)[1:]ᵀ X^(ℓ-1)    gemm(T, N, d_out, B, d_in)
//   backward  W^(ℓ+1)[1:] Δ^(ℓ+1)             gemm(N, N, d,     B, d_next)
//   gradient  G^(ℓ)[1:] += X^(ℓ-1) Δ^(ℓ)ᵀ      gemm(N, T, d_in,  d_out, B)
// Only products the dispatch sends to the loops are timed (above the limit both sides are BLAS).
// B = 1 is an SGD update, 32 a mini-batch, 256 a full block. Prints one tab-separated line per
// product: kind, B, d_in, d_out, multiply-adds, nanoseconds per call of the loops and of BLAS.
// Run BLAS single-threaded (OPENBLAS_NUM_THREADS=1), as the core's loops are.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "deltaprop/gemm.hpp"

using deltaprop::Trans;

namespace {

struct Product {
    const char* kind;
    Trans ta, tb;
    std::size_t m, n, k, lda, ldb, ldc;
};

// The three products of a layer d_in → d_out for a block of B points, as propagation.hpp
// calls them (weights are row-major (d_in+1) × d_out; block matrices are d × B).
std::vector<Product> layer_products(std::size_t B, std::size_t d_in, std::size_t d_out) {
    return {{"forward", Trans::yes, Trans::no, d_out, B, d_in, d_out, B, B},
            {"backward", Trans::no, Trans::no, d_in, B, d_out, d_out, B, B},
            {"gradient", Trans::no, Trans::yes, d_in, d_out, B, B, B, d_out}};
}

template <class F>
double nanoseconds_per_call(F&& call) {
    using clock = std::chrono::steady_clock;
    std::size_t reps = 1;
    for (;;) {  // grow the repetition count until one timing lasts 2 ms
        const auto t0 = clock::now();
        for (std::size_t r = 0; r < reps; ++r) call();
        const double ns = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
        if (ns > 5e5) break;
        reps *= 2;
    }
    double best = INFINITY;
    for (int trial = 0; trial < 5; ++trial) {  // the minimum: the least disturbed timing
        const auto t0 = clock::now();
        for (std::size_t r = 0; r < reps; ++r) call();
        best = std::min(best, std::chrono::duration<double, std::nano>(clock::now() - t0).count() / reps);
    }
    return best;
}

template <class T>
int run(const char* type) {
    const std::size_t blocks[] = {1, 32, 256};
    const std::size_t widths[] = {1, 2, 3, 4, 6, 8, 10, 16, 24, 32, 64, 100, 256};
    int failures = 0;
    for (std::size_t B : blocks)
        for (std::size_t d_in : widths)
            for (std::size_t d_out : widths) {
                for (const Product& p : layer_products(B, d_in, d_out)) {
                    const std::size_t madds = p.m * p.n * p.k;
                    if (madds > deltaprop::blas::small_product_limit) continue;  // BLAS either way
                    const std::size_t rows_a = p.ta == Trans::no ? p.m : p.k;
                    const std::size_t rows_b = p.tb == Trans::no ? p.k : p.n;
                    std::vector<T> a(rows_a * p.lda), b(rows_b * p.ldb), c(p.m * p.ldc), c_blas(c);
                    for (std::size_t i = 0; i < a.size(); ++i) a[i] = T(std::sin(0.1 * double(i)));
                    for (std::size_t i = 0; i < b.size(); ++i) b[i] = T(std::cos(0.3 * double(i)));
                    const double loops = nanoseconds_per_call([&] {
                        deltaprop::gemm<T>(p.ta, p.tb, p.m, p.n, p.k, a.data(), p.lda, b.data(),
                                           p.ldb, T(0), c.data(), p.ldc);
                    });
                    const double blas = nanoseconds_per_call([&] {
                        deltaprop::blas::cblas_gemm(p.ta, p.tb, int(p.m), int(p.n), int(p.k), T(1),
                                                    a.data(), int(p.lda), b.data(), int(p.ldb),
                                                    T(0), c_blas.data(), int(p.ldc));
                    });
                    // The two paths must compute the same product, or the timing means nothing.
                    double err = 0, scale = 1;
                    for (std::size_t i = 0; i < c.size(); ++i) {
                        err = std::max(err, std::abs(double(c[i]) - double(c_blas[i])));
                        scale = std::max(scale, std::abs(double(c_blas[i])));
                    }
                    if (err > scale * p.k * (sizeof(T) == 8 ? 1e-14 : 1e-5)) {
                        std::fprintf(stderr, "%s %s B=%zu %zux%zu: loops and BLAS differ by %g\n",
                                     type, p.kind, B, d_in, d_out, err);
                        ++failures;
                    }
                    std::printf("%s\t%s\t%zu\t%zu\t%zu\t%zu\t%.1f\t%.1f\n", type, p.kind, B, d_in,
                                d_out, madds, loops, blas);
                }
            }
    return failures;
}

}  // namespace

int main() {
    std::printf("# small_product_limit\t%zu\n", deltaprop::blas::small_product_limit);
    std::printf("dtype\tkind\tB\td_in\td_out\tmadds\tloops_ns\tblas_ns\n");
    const int failures = run<double>("float64") + run<float>("float32");
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
