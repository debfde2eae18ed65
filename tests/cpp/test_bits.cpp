// The same bits on every CPU: E_in, the gradient, an SGD epoch and predictions of small
// networks (whose products all run in the core's own loops, never BLAS) hashed and compared
// with values recorded once. CMake builds this file twice: as test_bits, whose kernels are the
// instruction-set clones the CPU picks (AVX-512 or AVX2 with FMA on current x86-64), and as
// test_bits_baseline with DELTAPROP_NO_MULTIVERSION, whose kernels are compiled for the
// baseline instruction set alone (SSE2 on x86-64, where every mul_add is glibc's fma). Both
// must give the recorded bits. A change that alters the order or rounding of the core's
// arithmetic on purpose must record new values here, and says so in its commit.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

namespace {

/// FNV-1a over the bytes of the values.
struct Hash {
    std::uint64_t h = 1469598103934665603ULL;
    template <class T>
    void add(const T* v, std::size_t n) {
        const auto* bytes = reinterpret_cast<const unsigned char*>(v);
        for (std::size_t i = 0; i < n * sizeof(T); ++i) h = (h ^ bytes[i]) * 1099511628211ULL;
    }
    template <class T>
    void add(T v) {
        add(&v, 1);
    }
};

/// Values in [−1.5, 1.5] made from integers only, the same on every platform.
template <class T>
std::vector<T> values(std::size_t n, std::size_t salt) {
    std::vector<T> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = T(double((i * 37 + salt * 11) % 101) / 33.0 - 1.5);
    return v;
}

template <class T>
Network<T> network(std::vector<std::size_t> dims, Output output, std::size_t salt) {
    Network<T> net(dims, output);
    const std::vector<T> w = values<T>(net.n_weights(), salt);
    net.assign(w.data());
    return net;
}

/// E_in and the gradient (the fused path for these layouts), an SGD epoch (one point at a
/// time), and predictions (the layer-by-layer path), all hashed together.
template <class T>
std::uint64_t run() {
    Hash hash;
    for (auto dims : {std::vector<std::size_t>{2, 10, 1}, std::vector<std::size_t>{3, 6, 4, 2}}) {
        for (Output output : {Output::tanh, Output::identity}) {
            Network<T> net = network<T>(dims, output, dims.size());
            const std::size_t n = 300, d0 = dims.front(), dL = dims.back();
            const std::vector<T> x = values<T>(n * d0, 1), y = values<T>(n * dL, 2);
            const Data<T> data{x.data(), y.data(), n};
            std::vector<T> g(net.n_weights());
            Evaluator<T> evaluator(net.layout());
            hash.add(evaluator.error_and_gradient(net, data, g.data()));
            hash.add(g.data(), g.size());
            std::vector<T> h(n * dL);
            evaluator.predict(net, x.data(), n, h.data());
            hash.add(h.data(), h.size());
            hash.add(sgd_epoch(net, data, T(0.05), 7));
            hash.add(net.data(), net.n_weights());
        }
    }
    return hash.h;
}

}  // namespace

int main() {
    // Recorded on 2026-11-29 (x86-64, AVX-512 clones and the baseline build alike).
    const std::uint64_t expected_double = 0xbda1df1e4bf81884, expected_float = 0x6356e8800d8b290a;
    const std::uint64_t got_double = run<double>(), got_float = run<float>();
    std::printf("double: %016llx\nfloat:  %016llx\n", (unsigned long long)got_double,
                (unsigned long long)got_float);
    CHECK(got_double == expected_double);
    CHECK(got_float == expected_float);
    if (failures() == 0) std::printf("test_bits: all checks passed\n");
    return failures();
}
