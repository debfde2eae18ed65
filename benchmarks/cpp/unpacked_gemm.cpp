// Could the core beat OpenBLAS on workload C's big product with a kernel of its own that reads
// the operands where they are, without packing them? OpenBLAS packs both operands of every
// product into its own layout first (in `perf` of C, 18% of an epoch in its copy routines
// against 66% in its compute kernel). This times, on one thread, the forward product of one of
// C's 256-row blocks, S = X·W (256 × 256 times 256 × 96, rows of the data against the weights
// as they are stored), through deltaprop's OpenBLAS and through a plain register-tiled kernel
// that broadcasts one x and multiplies it into packs of W's row (MR rows by NP packs of 64
// bytes in registers; 96 columns, so every tile is full), over all of k at once or in slices
// of KC rows of W (a 4×6 tile's slice of 64 rows of W is 24 KiB, which stays in L1). Each
// slice continues the previous one's sums, so every variant adds the same terms in the same
// order, and gives the same bits as OpenBLAS here.
// Prints GFLOP/s for each, the least time over repetitions.
// Usage: unpacked_gemm [repetitions]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

namespace {

constexpr int M = 256, K = 256, N = 96;  // a block of C's first layer, W's columns to 96
constexpr int V = 8;                     // doubles per pack

template <int MR, int NP>
DELTAPROP_ALWAYS_INLINE void tile(const double* x, const double* w, double* s, int k0, int k1) {
    Pack<double> acc[MR][NP] = {};
    if (k0 > 0)  // continue the sums of the slices before
        for (int i = 0; i < MR; ++i)
            for (int p = 0; p < NP; ++p) std::memcpy(&acc[i][p], s + i * N + p * V, 64);
    for (int k = k0; k < k1; ++k) {
        Pack<double> wk[NP];
        DELTAPROP_UNROLL for (int p = 0; p < NP; ++p) std::memcpy(&wk[p], w + k * N + p * V, 64);
        DELTAPROP_UNROLL for (int i = 0; i < MR; ++i) {
            const Pack<double> xik = splat<Pack<double>>(x[i * K + k]);
            DELTAPROP_UNROLL for (int p = 0; p < NP; ++p)
                acc[i][p] = mul_add(xik, wk[p], acc[i][p]);
        }
    }
    for (int i = 0; i < MR; ++i)
        for (int p = 0; p < NP; ++p) std::memcpy(s + i * N + p * V, &acc[i][p], 64);
}
template <int MR, int NP, int KC>
DELTAPROP_ALWAYS_INLINE void unpacked_lanes(const double* x, const double* w, double* s) {
    for (int j = 0; j < N; j += NP * V)
        for (int k0 = 0; k0 < K; k0 += KC)
            for (int i = 0; i + MR <= M; i += MR)
                tile<MR, NP>(x + i * K, w + j, s + i * N + j, k0, std::min(K, k0 + KC));
}
DELTAPROP_MULTIVERSION void unpacked_8x3(const double* x, const double* w, double* s) {
    unpacked_lanes<8, 3, K>(x, w, s);
}
DELTAPROP_MULTIVERSION void unpacked_4x6(const double* x, const double* w, double* s) {
    unpacked_lanes<4, 6, K>(x, w, s);
}
DELTAPROP_MULTIVERSION void unpacked_8x3_kc64(const double* x, const double* w, double* s) {
    unpacked_lanes<8, 3, 64>(x, w, s);
}
DELTAPROP_MULTIVERSION void unpacked_4x6_kc64(const double* x, const double* w, double* s) {
    unpacked_lanes<4, 6, 64>(x, w, s);
}

template <class F>
double gflops(F&& f, int reps) {
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        const std::chrono::duration<double> t = std::chrono::steady_clock::now() - t0;
        best = std::min(best, t.count());
    }
    return 2.0 * M * N * K / best * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
    const int reps = argc > 1 ? std::atoi(argv[1]) : 2000;
    blas::use_one_thread();
    std::vector<double> x(M * K), w(K * N), s(M * N), s_blas(M * N);
    std::mt19937_64 rng(0);
    std::uniform_real_distribution<double> u(-1, 1);
    for (double& v : x) v = u(rng);
    for (double& v : w) v = u(rng);
    const double blas_gf = gflops(
        [&] {
            blas::cblas_gemm(Trans::no, Trans::no, M, N, K, 1.0, x.data(), K, w.data(), N, 0.0,
                             s_blas.data(), N);
        },
        reps);
    std::printf("openblas\t%.1f\n", blas_gf);
    const struct {
        const char* name;
        void (*kernel)(const double*, const double*, double*);
    } kernels[] = {{"unpacked 8x3", unpacked_8x3},
                   {"unpacked 4x6", unpacked_4x6},
                   {"unpacked 8x3 KC=64", unpacked_8x3_kc64},
                   {"unpacked 4x6 KC=64", unpacked_4x6_kc64}};
    for (const auto& k : kernels) {
        const double gf = gflops([&] { k.kernel(x.data(), w.data(), s.data()); }, reps);
        double diff = 0;
        for (int i = 0; i < M * N; ++i) diff = std::max(diff, std::abs(s[i] - s_blas[i]));
        std::printf("%s\t%.1f\t(largest difference from OpenBLAS %.1e)\n", k.name, gf, diff);
    }
}
