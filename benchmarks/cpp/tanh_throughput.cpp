// How fast is θ = deltaprop::fast_tanh? Times, for double and float, over n signals (default
// 80 000, about one epoch of a 2-10-1 network on N = 7291 points):
//   in_place  deltaprop::tanh_in_place, the loop propagation.hpp calls on a row block;
//   fused     fast_tanh inside loops of V lanes (8 double, 16 float) in a multiversioned
//             function, the shape of a fused kernel that computes a signal and its θ together;
//   divide    the one division fast_tanh makes per value, alone in the same kind of loop: the
//             divider is a unit of its own that does not pipeline, so this is a floor for
//             tanh and for every kernel that computes one (2-10-1's epoch: 11 per point).
// Prints one tab-separated line per (type, loop): nanoseconds per tanh, the minimum over
// repetitions (the machine is shared, so the minimum is the least disturbed run).
// Usage: tanh_throughput [n] [repetitions]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "deltaprop/activations/tanh.hpp"

namespace {

template <class T>
constexpr std::size_t lanes = 64 / sizeof(T);  // one AVX-512 register

// x[i] = θ(w·s[i] + b), V lanes at a time: the signal is made in the same loop as its θ.
template <class T>
DELTAPROP_ALWAYS_INLINE void fused_lanes(const T* s, T* x, std::size_t n, T w, T b) {
    constexpr std::size_t V = lanes<T>;
    for (std::size_t i = 0; i + V <= n; i += V) {
        T signal[V];
        for (std::size_t k = 0; k < V; ++k) signal[k] = w * s[i + k] + b;
        for (std::size_t k = 0; k < V; ++k) x[i + k] = deltaprop::fast_tanh(signal[k]);
    }
}
DELTAPROP_MULTIVERSION void fused(const double* s, double* x, std::size_t n, double w, double b) {
    fused_lanes(s, x, n, w, b);
}
DELTAPROP_MULTIVERSION void fused(const float* s, float* x, std::size_t n, float w, float b) {
    fused_lanes(s, x, n, w, b);
}

// x[i] = s[i] / (w·s[i] + b): one division per value, like tanh's quotient.
template <class T>
DELTAPROP_ALWAYS_INLINE void divide_lanes(const T* s, T* x, std::size_t n, T w, T b) {
    for (std::size_t i = 0; i < n; ++i) x[i] = s[i] / (w * s[i] + b);
}
DELTAPROP_MULTIVERSION void divide(const double* s, double* x, std::size_t n, double w, double b) {
    divide_lanes(s, x, n, w, b);
}
DELTAPROP_MULTIVERSION void divide(const float* s, float* x, std::size_t n, float w, float b) {
    divide_lanes(s, x, n, w, b);
}

/// The least time of f() over reps runs, each after an untimed setup().
template <class S, class F>
double min_ns(int reps, S&& setup, F&& f) {
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        setup();
        const auto t0 = std::chrono::steady_clock::now();
        f();
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count());
    }
    return best;
}

template <class T>
void run(const char* type, std::size_t n, int reps) {
    // Signals of a trained small network: mostly |s| < 3, some saturated.
    std::vector<T> s(n), x(n), work(n);
    std::uint64_t state = 12345;
    for (auto& v : s) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        v = T((double(state >> 11) * 0x1p-53 - 0.5) * 8.0);
    }
    const double in_place = min_ns(
        reps, [&] { std::memcpy(work.data(), s.data(), n * sizeof(T)); },  // same inputs each time
        [&] { deltaprop::tanh_in_place(work.data(), n); });
    const double fused_ns = min_ns(reps, [] {}, [&] { fused(s.data(), x.data(), n, T(1), T(0)); });
    volatile T sink = work[n / 2] + x[n / 3];
    const double divide_ns = min_ns(reps, [] {}, [&] { divide(s.data(), x.data(), n, T(0.5), T(3)); });
    sink = x[n / 5];
    (void)sink;
    std::printf("%s\tin_place\t%.3f\n", type, in_place / double(n));
    std::printf("%s\tfused\t%.3f\n", type, fused_ns / double(n));
    std::printf("%s\tdivide\t%.3f\n", type, divide_ns / double(n));
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 80000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 1000;
    std::printf("type\tloop\tns_per_value\n");
    run<double>("double", n, reps);
    run<float>("float", n, reps);
}
