// deltaprop/fast_exp.hpp — e^x for a value or a pack of values, vectorisable, the same bits in
// scalar code, in every lane of a pack and on every instruction set (as fast_tanh, tanh.hpp).
// The logistic θ, softmax and the cross-entropy losses use it; libm's exp would leave the
// loops scalar and could differ between platforms.
//
// x = k·ln2 + r with k = round(x/ln2) and |r| ≤ ln2/2 (ln2 split in two, so k·ln2 is subtracted
// almost exactly), e^x = 2^k · e^r, e^r from its Taylor polynomial: degree 13 in double (its
// truncation error is below 5·10^-18 relative), degree 7 in float (below 10^-8). 2^k is built
// from exponent bits, as in fast_tanh. Only correctly rounded + − × ÷ and fused multiply-adds.
// x is clamped to [lowest, highest] (about ±708 in double, ±87 in float), where 2^k stays a
// normal number: e^x never overflows to ∞ nor underflows to 0 there (e^-708 ≈ 3·10^-308), which
// is what its users need (1/(1 + e^-s) and log-sum-exp stay finite); a NaN stays a NaN.
#pragma once

#include <type_traits>

#include "deltaprop/lanewise.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

namespace detail {

template <class T>
struct ExpConstants;
template <>
struct ExpConstants<double> {
    static constexpr int mantissa_bits = 52;
    static constexpr double shifter = 6755399441056767.0;  // 1.5·2^52 + 1023, as in fast_tanh
    static constexpr double lowest = -708.0, highest = 709.0;
    static constexpr double inv_ln2 = 1.4426950408889634074;
    static constexpr double ln2_hi = 6.93147180369123816490e-01;  // 32 bits: k·ln2_hi is exact
    static constexpr double ln2_lo = 1.90821492927058770002e-10;
    static constexpr int degree = 13;
};
template <>
struct ExpConstants<float> {
    static constexpr int mantissa_bits = 23;
    static constexpr float shifter = 12583039.0f;  // 1.5·2^23 + 127
    static constexpr float lowest = -87.0f, highest = 88.0f;
    static constexpr float inv_ln2 = 1.44269504f;
    static constexpr float ln2_hi = 0.693145752f;  // 16 bits
    static constexpr float ln2_lo = 1.42860677e-6f;
    static constexpr int degree = 7;
};

/// 1/i! for i = 0..N in T, the Taylor coefficients of e^r, worked out by the compiler.
template <class T, int N>
struct InverseFactorials {
    T value[N + 1] = {};
    constexpr InverseFactorials() {
        double factorial = 1;
        value[0] = T(1);
        for (int i = 1; i <= N; ++i) value[i] = T(1 / (factorial *= i));
    }
};

/// min(max(x, lo), hi), keeping a NaN a NaN (both comparisons are false for it).
template <class V, class T>
DELTAPROP_ALWAYS_INLINE V clamp_keep_nan(V x, T lo, T hi) {
    if constexpr (std::is_arithmetic_v<V>) {
        const V y = x < lo ? V(lo) : x;
        return y > hi ? V(hi) : y;
    } else {
        const V l = splat<V>(lo), h = splat<V>(hi);
        const V y = x < l ? l : x;
        return y > h ? h : y;
    }
}

}  // namespace detail

/// e^x (x clamped as above), within about 1 ulp.
template <class V>
DELTAPROP_ALWAYS_INLINE V fast_exp(V x) {
    using T = typename detail::Lanewise<V>::Scalar;
    using C = detail::ExpConstants<T>;
    x = detail::clamp_keep_nan(x, C::lowest, C::highest);
    const V y = mul_add(x, splat<V>(C::inv_ln2), splat<V>(C::shifter));  // k + bias in low bits
    const V k = y - C::shifter;
    V r = mul_add(k, splat<V>(-C::ln2_hi), x);
    r = mul_add(k, splat<V>(-C::ln2_lo), r);
    // e^r = Σ_{i ≤ degree} r^i / i!, by Horner's scheme from the highest term
    // The coefficients as constants and the loop unrolled: read from a table on the stack in a
    // loop, they kept GCC from vectorising the loops that call fast_exp (logistic θ measured 7×
    // tanh's time). Same operations in the same order either way: the same bits.
    static constexpr detail::InverseFactorials<T, C::degree> c{};
    V p = splat<V>(c.value[C::degree]);
    DELTAPROP_UNROLL
    for (int i = C::degree - 1; i >= 0; --i) p = mul_add(p, r, splat<V>(c.value[i]));
    const V two_k = detail::from_bits<V>(detail::bits_of(y) << C::mantissa_bits);
    return p * two_k;
}

}  // namespace deltaprop
