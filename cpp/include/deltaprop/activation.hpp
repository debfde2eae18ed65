// deltaprop/activation.hpp — θ(s) = tanh(s) and its derivative θ'(s) = 1 − θ(s)².
//
// Because θ' is a function of x = θ(s), backpropagation needs only the activations x^(ℓ), never
// the signals s^(ℓ). tanh dominates the cost of small layers, so it is computed here by a
// branch-free formula the compiler vectorises, accurate to a few ulp (checked against std::tanh
// in tests/cpp/test_activation.cpp):
//     tanh(s) = sign(s) · (−m) / (2 + m),   m = expm1(−2|s|) = e^(−2|s|) − 1,
// with expm1 evaluated as 2^k·q(r) + (2^k − 1), where r = x − k·ln2, |r| ≤ ln2/2, and
// q(r) = e^r − 1 is a Taylor polynomial long enough for the type. Working with e^x − 1 rather
// than e^x keeps full relative accuracy for small |s|, where 1 − e^(−2|s|) would cancel.
// |s| is clamped where tanh(s) rounds to ±1 in the type, so no exponent over- or underflows.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "deltaprop/network.hpp"
#include "deltaprop/simd.hpp"


namespace deltaprop {

namespace detail {

template <class T>
struct TanhConstants;
template <>
struct TanhConstants<double> {
    using Bits = std::uint64_t;
    static constexpr int mantissa_bits = 52;
    static constexpr Bits exponent_bias = 1023;
    static constexpr double shifter = 6755399441055744.0;  // 1.5·2^52: x + shifter rounds x
    static constexpr double saturation = 20.0;             // e^-40 < ulp(1)/2: tanh = ±1
};
template <>
struct TanhConstants<float> {
    using Bits = std::uint32_t;
    static constexpr int mantissa_bits = 23;
    static constexpr Bits exponent_bias = 127;
    static constexpr float shifter = 12582912.0f;  // 1.5·2^23
    static constexpr float saturation = 10.0f;     // e^-20 < ulp(1)/2 in float
};

/// What the formulas below need of their argument type V: a double, a float, or a pack of
/// either (simd.hpp). The same source then serves scalar code and the packed loops, so both
/// give the same bits.
template <class V>
struct Lanewise;
template <>
struct Lanewise<double> {
    using Scalar = double;
    using Bits = std::uint64_t;
    static Bits all_ones_if(bool c) { return Bits(0) - Bits(c); }
};
template <>
struct Lanewise<float> {
    using Scalar = float;
    using Bits = std::uint32_t;
    static Bits all_ones_if(bool c) { return Bits(0) - Bits(c); }
};
#ifdef DELTAPROP_PACKS
template <>
struct Lanewise<Pack<double>> {
    using Scalar = double;
    using Bits = PackOf<double>::bits;
    template <class Mask>  // a pack comparison is already all ones or all zeros per lane
    static Bits all_ones_if(Mask m) { return Bits(m); }
};
template <>
struct Lanewise<Pack<float>> {
    using Scalar = float;
    using Bits = PackOf<float>::bits;
    template <class Mask>
    static Bits all_ones_if(Mask m) { return Bits(m); }
};
#endif

template <class V>
DELTAPROP_ALWAYS_INLINE typename Lanewise<V>::Bits bits_of(V v) {
    typename Lanewise<V>::Bits b;
    std::memcpy(&b, &v, sizeof(V));
    return b;
}
template <class V>
DELTAPROP_ALWAYS_INLINE V from_bits(typename Lanewise<V>::Bits b) {
    V v;
    std::memcpy(&v, &b, sizeof(V));
    return v;
}

/// e^x − 1 for −2·saturation ≤ x ≤ 0.
template <class V>
DELTAPROP_ALWAYS_INLINE V expm1_nonpositive(V x) {
    using T = typename Lanewise<V>::Scalar;
    using Bits = typename Lanewise<V>::Bits;
    using C = TanhConstants<T>;
    constexpr T inv_ln2 = T(1.44269504088896340736);
    constexpr T ln2_hi = T(0.693145751953125);  // few bits, so k·ln2_hi is exact
    constexpr T ln2_lo = T(1.42860682030941723212e-6);
    // k = round(x / ln2), read from the low bits of y: adding the shifter rounds to an integer.
    const V y = x * inv_ln2 + C::shifter;
    const V k = y - C::shifter;
    const V r = (x - k * ln2_hi) - k * ln2_lo;  // |r| ≤ ln2/2 ≈ 0.347
    V q;  // e^r − 1, Taylor to below half an ulp at |r| = ln2/2
    if constexpr (std::is_same<T, double>::value) {
        q = r * T(1.0 / 6227020800) + T(1.0 / 479001600);  // 1/13!, 1/12!
        q = q * r + T(1.0 / 39916800);
        q = q * r + T(1.0 / 3628800);
        q = q * r + T(1.0 / 362880);
        q = q * r + T(1.0 / 40320);
        q = q * r + T(1.0 / 5040);
        q = q * r + T(1.0 / 720);
        q = q * r + T(1.0 / 120);
        q = q * r + T(1.0 / 24);
        q = q * r + T(1.0 / 6);
        q = q * r + T(0.5);
        q = q * r + T(1);
    } else {
        q = r * T(1.0 / 40320) + T(1.0 / 5040);
        q = q * r + T(1.0 / 720);
        q = q * r + T(1.0 / 120);
        q = q * r + T(1.0 / 24);
        q = q * r + T(1.0 / 6);
        q = q * r + T(0.5);
        q = q * r + T(1);
    }
    q = q * r;
    // 2^k from the exponent bits: the low bits of y's mantissa hold k in two's complement.
    const Bits scale_bits = Bits((bits_of(y) + C::exponent_bias) << C::mantissa_bits);
    const V two_k = from_bits<V>(scale_bits);
    return two_k * q + (two_k - T(1));
}

/// min(a, saturation) for a ≥ 0 that keeps a NaN a NaN (a silent ±1 would hide a diverged
/// network). Done on the bit patterns, which order non-negative floats like the numbers:
/// a floating-point select would stop GCC from vectorising the loop (-ftrapping-math).
template <class V>
DELTAPROP_ALWAYS_INLINE V clamp_to_saturation(V a) {
    using T = typename Lanewise<V>::Scalar;
    using Bits = typename Lanewise<V>::Bits;
    constexpr T saturation = TanhConstants<T>::saturation;
    constexpr T infinity = std::numeric_limits<T>::infinity();
    const Bits ab = bits_of(a);
    const auto sb = bits_of(saturation), ib = bits_of(infinity);  // scalars
    // finite beyond saturation, or ∞
    const Bits over = Lanewise<V>::all_ones_if(ab > sb) & Lanewise<V>::all_ones_if(ab <= ib);
    return from_bits<V>(ab ^ ((ab ^ sb) & over));
}

/// The sign bit of the type's scalars, as a scalar bit pattern.
template <class V>
constexpr auto sign_bit() {
    using Bits = typename Lanewise<typename Lanewise<V>::Scalar>::Bits;
    return Bits(Bits(1) << (8 * sizeof(Bits) - 1));
}

}  // namespace detail

/// tanh(s) for a value or a pack of values (lanewise), vectorisable; within a few ulp of
/// std::tanh, and bit for bit the same for a value and in any lane of a pack.
template <class V>
DELTAPROP_ALWAYS_INLINE V fast_tanh(V s) {
    using T = typename detail::Lanewise<V>::Scalar;
    constexpr auto sign = detail::sign_bit<V>();
    const auto s_bits = detail::bits_of(s);
    const V a = detail::clamp_to_saturation(detail::from_bits<V>(s_bits & ~sign));  // |s|
    const V m = detail::expm1_nonpositive(a * T(-2));
    const V t = -m / (m + T(2));
    return detail::from_bits<V>((detail::bits_of(t) & ~sign) | (s_bits & sign));  // sign of s
}

/// x[i] ← θ(x[i]) = tanh(x[i]) for a row block of signals. Compiled for several instruction
/// sets (SSE2, AVX2, AVX-512) and picked at load time for the CPU, so one binary is both
/// portable and as wide as the machine allows.
DELTAPROP_MULTIVERSION inline void tanh_in_place(double* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = fast_tanh(x[i]);
}
DELTAPROP_MULTIVERSION inline void tanh_in_place(float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = fast_tanh(x[i]);
}

/// θ of a layer: tanh for hidden layers, the network's output choice for layer L.
template <class T>
inline void activate(Output theta, T* x, std::size_t n) {
    if (theta == Output::tanh) tanh_in_place(x, n);
}

}  // namespace deltaprop
