// fast_tanh against tanh: within a few ulp everywhere, exactly ±1 in saturation, odd, NaN in gives
// NaN out; and the same bits from every instruction-set version of the loop and from scalar code.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "check.hpp"
#include "deltaprop/activations/tanh.hpp"

/// |a − exact| in units of the spacing of T at exact (the ulp of the binade exact lies in).
template <class T>
double ulp_error(T a, long double exact) {
    if (static_cast<long double>(a) == exact) return 0;
    int e;
    std::frexp(std::fabs(exact), &e);
    using L = std::numeric_limits<T>;
    const long double spacing = std::ldexp(1.0L, std::max(e, L::min_exponent) - L::digits);
    return double(std::fabs(static_cast<long double>(a) - exact) / spacing);
}

/// The signals checked: dense near 0, then wider, so the linear region, the knee, every
/// reduction interval j·ln2/2 ± ln2/4 and saturation are covered.
template <class T>
std::vector<T> signals() {
    std::vector<T> v;
    for (double s = -30; s <= 30; s += 1e-4)
        for (double scale : {1.0, 1e-3, 1e-8}) v.push_back(T(s * scale));
    return v;
}

template <class T>
void check_accuracy(const char* name) {
    // tanh in long double is the exact value to far below an ulp of T where long double is
    // wider; where it is not, it is std::tanh with its own error, hence the looser bound.
    constexpr bool exact_reference =
        std::numeric_limits<long double>::digits > std::numeric_limits<double>::digits;
    const double max_ulp = exact_reference ? 3 : 4;
    double worst = 0, worst_at = 0;
    for (const T v : signals<T>()) {
        const double d = ulp_error(deltaprop::fast_tanh(v), std::tanh(static_cast<long double>(v)));
        if (d > worst) worst = d, worst_at = double(v);
    }
    std::printf("%s: worst %.2f ulp at s = %.17g\n", name, worst, worst_at);
    CHECK(worst <= max_ulp);
    CHECK(deltaprop::fast_tanh(T(40)) == T(1));
    CHECK(deltaprop::fast_tanh(T(-1e30)) == T(-1));
    CHECK(deltaprop::fast_tanh(std::numeric_limits<T>::infinity()) == T(1));
    CHECK(deltaprop::fast_tanh(-std::numeric_limits<T>::infinity()) == T(-1));
    CHECK(std::isnan(deltaprop::fast_tanh(std::numeric_limits<T>::quiet_NaN())));
    CHECK(deltaprop::fast_tanh(T(0)) == T(0));
    CHECK(!std::signbit(deltaprop::fast_tanh(T(0))));
    CHECK(std::signbit(deltaprop::fast_tanh(T(-0.0))));
    CHECK(deltaprop::fast_tanh(T(1e-30)) == T(1e-30));
    CHECK(deltaprop::fast_tanh(std::numeric_limits<T>::denorm_min()) ==
          std::numeric_limits<T>::denorm_min());
}

/// Equal bit patterns, or both NaN (which NaN comes out depends on operand order).
template <class T>
bool same(T a, T b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

/// One value at a time, kept out of any vectorised loop.
template <class T>
__attribute__((noipa)) T tanh_one(T s) {
    return deltaprop::fast_tanh(s);
}

// The loop compiled for each instruction set explicitly (as DELTAPROP_MULTIVERSION does, but
// callable whatever the CPU picks), so their results can be compared with one another.
#if defined(__GNUC__) && defined(__x86_64__)
#define TANH_LOOPS 1
template <class T>
void tanh_loop_sse2(T* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = deltaprop::fast_tanh(x[i]);
}
template <class T>
__attribute__((target("arch=x86-64-v3"))) void tanh_loop_avx2(T* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = deltaprop::fast_tanh(x[i]);
}
template <class T>
__attribute__((target("arch=x86-64-v4"))) void tanh_loop_avx512(T* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = deltaprop::fast_tanh(x[i]);
}
#endif

template <class T>
std::size_t mismatches(const std::vector<T>& expected, const std::vector<T>& got) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) n += !same(expected[i], got[i]);
    return n;
}

template <class T>
void check_same_bits(const char* name) {
    using L = std::numeric_limits<T>;
    std::vector<T> s = signals<T>();
    for (T v : {T(0), L::infinity(), L::quiet_NaN(), L::denorm_min(), L::min(), L::max(),
                T(1e-20), T(10), T(20), T(20.5)}) {
        s.push_back(v);
        s.push_back(-v);
    }
    std::vector<T> one(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) one[i] = tanh_one(s[i]);
    struct Version {
        const char* name;
        bool supported;
        void (*loop)(T*, std::size_t);
    };
    const Version versions[] = {
        {"tanh_in_place (the version the CPU picks)", true, deltaprop::tanh_in_place},
#ifdef TANH_LOOPS
        {"SSE2 loop", true, tanh_loop_sse2<T>},
        {"AVX2 loop", __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"),
         tanh_loop_avx2<T>},
        {"AVX-512 loop",
         __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"),
         tanh_loop_avx512<T>},
#endif
    };
    for (const Version& v : versions) {
        if (!v.supported) {
            std::printf("%s: %s not run, the CPU lacks its instructions\n", name, v.name);
            continue;
        }
        std::vector<T> x = s;
        v.loop(x.data(), x.size());
        const std::size_t differ = mismatches(one, x);
        std::printf("%s: %s differs from one value at a time in %zu of %zu\n", name, v.name, differ,
                    s.size());
        CHECK(differ == 0);
    }
    std::size_t not_odd = 0;  // f(−s) = −f(s) bit for bit
    for (std::size_t i = 0; i < s.size(); ++i)
        not_odd += !std::isnan(s[i]) && !same(tanh_one(T(-s[i])), T(-tanh_one(s[i])));
    CHECK(not_odd == 0);
}

int main() {
    check_accuracy<double>("double");
    check_accuracy<float>("float");
    check_same_bits<double>("double");
    check_same_bits<float>("float");
    return report("test_activation");
}
