// The core's small-product kernels (small_products.hpp) against plain loops from their documented
// order of operations: every product a fused multiply-add (std::fma), dot products and sums in
// lanes<T> interleaved lanes reduced by halving, axpy-style products adding k = 0, 1, ... in
// turn. Bit for bit: the fused path, SGD and the layer-by-layer path all rely on this order, so
// a kernel that drifts from it (an unfused product, another summation tree) must fail here, not
// only where two of them disagree.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

namespace {

template <class T>
bool same(T a, T b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

/// The lanes' sum by halving: lane k += lane k + h for h = V/2, V/4, ..., 1.
template <class T>
T halving_sum(std::vector<T> acc) {
    for (std::size_t h = acc.size() / 2; h > 0; h /= 2)
        for (std::size_t k = 0; k < h; ++k) acc[k] += acc[k + h];
    return acc[0];
}

/// Σ x[i]·y[i] (or Σ x[i] when y is null) as small_products.hpp documents it.
template <class T>
T reference_sum(std::size_t n, const T* x, const T* y) {
    std::vector<T> acc(kernels::lanes<T>, T(0));
    for (std::size_t i = 0; i < n; ++i) {
        T& lane = acc[i % acc.size()];
        lane = y ? std::fma(x[i], y[i], lane) : lane + x[i];
    }
    return halving_sum(acc);
}

template <class T>
std::vector<T> random_values(Random& rng, std::size_t n) {
    std::vector<T> v(n);
    for (auto& e : v) e = T(rng.normal());
    return v;
}

template <class T>
void check_sums(Random& rng) {
    for (std::size_t n : {1, 2, 7, 8, 9, 15, 16, 17, 33, 100, 128, 1000}) {
        const std::vector<T> x = random_values<T>(rng, n), y = random_values<T>(rng, n);
        CHECK(same(kernels::dot(n, x.data(), y.data()), reference_sum(n, x.data(), y.data())));
        CHECK(same(kernels::sum(n, x.data()), reference_sum<T>(n, x.data(), nullptr)));
        std::vector<T> lanes(kernels::lanes<T>);
        for (auto& e : lanes) e = T(rng.normal());
        CHECK(same(kernels::reduce_lanes(lanes.data()), halving_sum(lanes)));
    }
    // The order itself, on lanes (big, 1, −big, 1, big, ...) with big + 1 = big in T: halving
    // adds lane k + V/2 (the same value) to lane k, so the bigs cancel only among themselves
    // and the V/2 ones survive exactly. From the left the sum is 1; by adjacent pairs, 0.
    std::vector<T> order(kernels::lanes<T>);
    const T big = T(4) / std::numeric_limits<T>::epsilon();
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k % 2 ? T(1) : (k % 4 ? -big : big);
    CHECK(same(kernels::reduce_lanes(order.data()), T(order.size() / 2)));
}

/// C (m×n) += op(A) op(B) by the order small_gemm documents for each case.
template <class T>
std::vector<T> reference_product(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k,
                                 const std::vector<T>& a, const std::vector<T>& b,
                                 std::vector<T> c) {
    auto A = [&](std::size_t i, std::size_t p) { return ta ? a[p * m + i] : a[i * k + p]; };
    auto B = [&](std::size_t p, std::size_t j) { return tb ? b[j * k + p] : b[p * n + j]; };
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            if (!ta && tb) {  // a row of A against a row of B: a dot product in lanes
                std::vector<T> arow(k), brow(k);
                for (std::size_t p = 0; p < k; ++p) arow[p] = A(i, p), brow[p] = B(p, j);
                c[i * n + j] += reference_sum(k, arow.data(), brow.data());
            } else if (ta && tb && n > 1) {  // a sum from 0, then added
                T s = 0;
                for (std::size_t p = 0; p < k; ++p) s = std::fma(A(i, p), B(p, j), s);
                c[i * n + j] += s;
            } else {  // axpy, and any one column (one point): each term fused into C in turn
                for (std::size_t p = 0; p < k; ++p)
                    c[i * n + j] = std::fma(A(i, p), B(p, j), c[i * n + j]);
            }
        }
    return c;
}

template <class T>
void check_products(Random& rng) {
    // n = 83: C's rows in runs of 4 packs, single packs and a scalar tail in both types
    const std::size_t shapes[][3] = {{10, 32, 2}, {1, 40, 10}, {10, 1, 2}, {3, 7, 5},
                                     {2, 1, 20},  {5, 9, 1},   {3, 83, 4}};
    for (const auto& shape : shapes) {
        const std::size_t m = shape[0], n = shape[1], k = shape[2];
        for (bool ta : {false, true})
            for (bool tb : {false, true}) {
                const std::vector<T> a = random_values<T>(rng, m * k);
                const std::vector<T> b = random_values<T>(rng, k * n);
                const std::vector<T> c0 = random_values<T>(rng, m * n);
                std::vector<T> c = c0;
                gemm(ta ? Trans::yes : Trans::no, tb ? Trans::yes : Trans::no, m, n, k, a.data(),
                     ta ? m : k, b.data(), tb ? k : n, T(1), c.data(), n);
                const std::vector<T> expected = reference_product(ta, tb, m, n, k, a, b, c0);
                std::size_t differ = 0;
                for (std::size_t i = 0; i < c.size(); ++i) differ += !same(c[i], expected[i]);
                if (differ)
                    std::fprintf(stderr, "%zux%zux%zu ta=%d tb=%d: %zu entries differ\n", m, n, k,
                                 int(ta), int(tb), differ);
                CHECK(differ == 0);
            }
    }
}

}  // namespace

int main() {
    Random rng(2026);
    check_sums<double>(rng);
    check_sums<float>(rng);
    check_products<double>(rng);
    check_products<float>(rng);
    if (failures() == 0) std::printf("test_kernels: all checks passed\n");
    return failures();
}
