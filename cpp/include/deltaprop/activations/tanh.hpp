// deltaprop/activations/tanh.hpp — θ(s) = tanh(s), the lecture's activation, and its derivative
// θ'(s) = 1 − θ(s)², as the activation type Tanh (see activation.hpp for what such a type is).
//
// Because θ' is a function of x = θ(s), backpropagation needs only the activations x^(ℓ), never
// the signals s^(ℓ). tanh dominates the cost of small layers, so it is computed here by a
// branch-free formula the compiler vectorises, accurate to a few ulp (checked against tanh in
// long double in tests/cpp/test_activation.cpp). With a = |s| = j·c + z, c = ln2/2, j = round(a/c),
// |z| ≤ c/2, the addition theorem tanh(u + v) = (tanh u + tanh v)/(1 + tanh u · tanh v) gives
//     tanh(a) = (A + B·T) / (B + A·T),   A = 1 − 2^−j,  B = 1 + 2^−j,  T = tanh(z),
// since tanh(j·c) = (2^j − 1)/(2^j + 1) = A/B. A and B are exact (2^−j is made from exponent bits)
// and T = z + z·w·Q(w), w = z², is a minimax polynomial on the small interval
// (scripts/tanh_coefficients.py). One division, no cancellation for small |s| (j = 0 gives
// 2T/2 = T exactly), and no expm1 or exp polynomial of high degree.
// |s| is clamped where tanh(s) rounds to ±1 in the type, so 2^−j stays a normal number.
// Only correctly rounded + − × ÷, fused multiply-adds (mul_add) and bit operations are used, so
// every instruction-set clone and scalar code give the same bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "deltaprop/activation.hpp"
#include "deltaprop/lanewise.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

namespace detail {

template <class T>
struct TanhConstants;
template <>
struct TanhConstants<double> {
    static constexpr int mantissa_bits = 52;
    // 1.5·2^52 + 1023: adding it rounds to an integer k and leaves k + 1023, the biased exponent
    // of 2^k, in the low mantissa bits.
    static constexpr double shifter = 6755399441056767.0;
    static constexpr double saturation = 20.0;  // e^-40 < ulp(1)/2: tanh = ±1
    /// Q of T = z + z·w·Q(w), minimax on w ≤ (c/2)², relative error of T 2^-57.5. Estrin's
    /// scheme: a shorter dependency chain than Horner's, which lets more loop iterations overlap.
    template <class V>  // V: double or a pack of doubles
    static DELTAPROP_ALWAYS_INLINE V Q(V w) {
        const V w2 = w * w;
        const V q01 = mul_add(w, splat<V>(0.1333333333278375), splat<V>(-0.3333333333333249));
        const V q23 = mul_add(w, splat<V>(0.02186937071468073), splat<V>(-0.053968252782014364));
        const V q45 = mul_add(w, splat<V>(0.0034448378116353007), splat<V>(-0.008857308770517392));
        return mul_add(w2, mul_add(w2, q45, q23), q01);
    }
};
template <>
struct TanhConstants<float> {
    static constexpr int mantissa_bits = 23;
    static constexpr float shifter = 12583039.0f;  // 1.5·2^23 + 127
    static constexpr float saturation = 10.0f;     // e^-20 < ulp(1)/2 in float
    /// Q of T = z + z·w·Q(w), minimax on w ≤ (c/2)², relative error of T 2^-32.
    template <class V>  // V: float or a pack of floats
    static DELTAPROP_ALWAYS_INLINE V Q(V w) {
        const V q = mul_add(w, splat<V>(-0.05272703f), splat<V>(0.13331184f));
        return mul_add(q, w, splat<V>(-0.33333322f));
    }
};

/// tanh(a) for 0 ≤ a ≤ saturation (or NaN), by the addition theorem above.
template <class V>
DELTAPROP_ALWAYS_INLINE V tanh_nonnegative(V a) {
    using T = typename Lanewise<V>::Scalar;
    using C = TanhConstants<T>;
    constexpr T minus_inv_c = T(-2.88539008177792681471984936200378427);  // −1/c = −2/ln2
    constexpr T c = T(0.346573590279972654708616060729088284);  // ln2/2
    // k = −j = round(−a/c), read from y's low bits: adding the shifter rounds to an integer.
    const V y = mul_add(a, splat<V>(minus_inv_c), splat<V>(C::shifter));
    const V k = y - C::shifter;
    // z = a + k·c rounded once; its error is that of c, which tanh' = 1 − tanh² damps where
    // k·c is large.
    const V z = mul_add(k, splat<V>(c), a);
    const V w = z * z;
    const V tanh_z = mul_add(z * w, C::Q(w), z);
    // 2^k: shifting y's bits moves k + bias into the exponent field (the bits above drop out).
    const V two_k = from_bits<V>(bits_of(y) << C::mantissa_bits);
    // tanh(j·c) = A/B. Both are exact for j ≤ mantissa bits; beyond, each rounds by half an ulp,
    // at most about an ulp more in the quotient.
    const V A = T(1) - two_k;
    const V B = T(1) + two_k;
    return mul_add(B, tanh_z, A) / mul_add(A, tanh_z, B);
}

/// min(a, saturation) for a ≥ 0 that keeps a NaN a NaN (a silent ±1 would hide a diverged
/// network). Done on the bit patterns, which order non-negative floats like the numbers, with
/// NaNs above ∞: shifted up by `wrap`, the NaNs' patterns pass the largest signed integer and
/// turn negative, so one signed minimum with saturation's shifted pattern clamps every finite
/// value and ∞ and leaves NaNs alone; the shift is then undone. Three integer operations and no
/// floating-point compare, which GCC can vectorise at every width without masks.
template <class V>
DELTAPROP_ALWAYS_INLINE V clamp_to_saturation(V a) {
    using T = typename Lanewise<V>::Scalar;
    using Bits = typename Lanewise<V>::Bits;
    using Signed = typename Lanewise<V>::Signed;
    using ScalarBits = typename Lanewise<T>::Bits;
    using ScalarSigned = typename Lanewise<T>::Signed;
    const ScalarBits infinity = bits_of(std::numeric_limits<T>::infinity());  // constants,
    const ScalarBits wrap = ScalarBits(std::numeric_limits<ScalarSigned>::max()) - infinity;
    const ScalarSigned bound = ScalarSigned(bits_of(TanhConstants<T>::saturation) + wrap);  // folded
    const Signed shifted = Signed(bits_of(a) + wrap);
    const Signed least = shifted < bound ? shifted : bound;
    return from_bits<V>(Bits(least) - wrap);
}

}  // namespace detail

/// tanh(s) for a value or a pack of values (lanewise), vectorisable; within 3 ulp of the exact
/// value (measured worst: 2.6 in double on random samples, 2.5 in float over every float in
/// [2^-30, 10.5]), and bit for bit the same for a value and in any lane of a pack.
template <class V>
DELTAPROP_ALWAYS_INLINE V fast_tanh(V s) {
    constexpr auto sign = detail::sign_bit<V>();
    const auto s_bits = detail::bits_of(s);
    const V a = detail::clamp_to_saturation(detail::from_bits<V>(s_bits & ~sign));  // |s|
    const V t = detail::tanh_nonnegative(a);  // ≥ +0 (or NaN): its sign bit is clear
    return detail::from_bits<V>(detail::bits_of(t) | (s_bits & sign));  // the sign of s
}

/// θ = tanh. Its derivative is a function of its value, θ'(s) = 1 − x² with x = θ(s), so
/// backpropagation keeps only the activations X^(ℓ).
struct Tanh {
    static constexpr const char* name = "tanh";
    static constexpr bool hidden = true, output = true, elementwise = true;
    static constexpr DerivativeNeeds derivative_needs = DerivativeNeeds::value;
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V value(V s) {
        return fast_tanh(s);
    }
    /// 1 − x², rounded once (a mul_add): near saturation, where x² rounds to within an ulp of
    /// 1, rounding x² first would leave 1 − x² with few correct bits.
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V derivative(V x) {
        return mul_add(-x, x, splat<V>(1));
    }
};
static_assert(check_activation<Tanh>());

/// x[i] ← tanh(x[i]) over a block of signals, alone, compiled for several instruction sets
/// (SSE2, AVX2 with FMA, AVX-512) and picked at load time for the CPU: the loop the
/// layer-by-layer path runs inside propagate(), here for tests/cpp/test_activation.cpp (the
/// same bits from every instruction set) and benchmarks/cpp (its time apart).
DELTAPROP_MULTIVERSION inline void tanh_in_place(double* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = fast_tanh(x[i]);
}
DELTAPROP_MULTIVERSION inline void tanh_in_place(float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = fast_tanh(x[i]);
}

}  // namespace deltaprop
