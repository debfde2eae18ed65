// deltaprop/losses/cross_entropy.hpp — the cross-entropy losses of classification, one type per
// output θ they go with (see loss.hpp for what such a type is; parts.hpp pairs them):
//
//   LogisticCrossEntropy, logistic outputs h = σ(s), targets y in [0, 1] (one yes/no per output):
//     e_n = −Σ_k [y ln h + (1 − y) ln(1 − h)] = Σ_k [softplus(s_k) − y_k s_k],   δ_k = h_k − y_k
//   SoftmaxCrossEntropy, softmax outputs, targets rows of class probabilities (one-hot labels):
//     e_n = −Σ_k y_k ln h_k = Σ_k y_k (lse(s) − s_k),   δ_k = h_k Σ_j y_j − y_k
//   with softplus(s) = max(s, 0) + ln(1 + e^−|s|) and lse(s) = m + ln Σ_j e^{s_j − m}, m = max s.
//
// Both are computed from the signals s^(L), never from a rounded h: with s = ±1000, where h
// rounds to 0 or 1 and ln h would be −∞, E and δ stay finite. (δ_k = h_k Σ y − y_k is the exact
// derivative for any targets; for rows summing to 1 it is the familiar h − y.)
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "deltaprop/checks.hpp"
#include "deltaprop/fast_exp.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

namespace detail {

/// softplus(s) = ln(1 + e^s) without overflow, for a value or lane by lane for a pack.
template <class V>
DELTAPROP_ALWAYS_INLINE V softplus(V s) {
    if constexpr (std::is_arithmetic_v<V>) {
        const V a = s < 0 ? -s : s;  // |s| (a NaN stays a NaN)
        return (s > 0 ? s : V(0)) + std::log1p(fast_exp(-a));
    } else {
        V r;
        for (std::size_t k = 0; k < sizeof(V) / sizeof(r[0]); ++k) r[k] = softplus(s[k]);
        return r;
    }
}

}  // namespace detail

struct LogisticCrossEntropy {
    static constexpr bool elementwise = true;
    static constexpr bool needs_signal = true;
    /// acc + softplus(s) − y·s.
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V add_error(V acc, V s, V /*x*/, V y) {
        return acc + mul_add(-y, s, detail::softplus(s));
    }
    /// h − y, with h = x = σ(s) as the forward pass computed it.
    template <class Output, class V>
    static DELTAPROP_ALWAYS_INLINE V delta(V /*s*/, V x, V y) {
        return x - y;
    }
    /// Targets in [0, 1] (n rows of d).
    template <class T>
    static void check_targets(const T* y, std::size_t n, std::size_t d) {
        for (std::size_t i = 0; i < n * d; ++i)
            if (!(y[i] >= T(0) && y[i] <= T(1)))
                throw std::invalid_argument(
                    "targets of a logistic output with the cross-entropy loss must lie in [0, 1] "
                    "(the probability of yes): y[" + std::to_string(i / d) + ", " +
                    std::to_string(i % d) + "] is " + number_text(double(y[i])));
    }
};

struct SoftmaxCrossEntropy {
    static constexpr bool elementwise = false;
    static constexpr bool needs_signal = true;
    /// One point's e = Σ_k y_k (lse(s) − s_k), and with delta its δ_k = h_k Σ_j y_j − y_k.
    /// The point's d signals and outputs are s[k·stride], h[k·stride] (h = softmax(s), from the
    /// forward pass), its targets y[k·y_stride], and δ_k goes to delta[k·stride].
    template <class T>
    static DELTAPROP_ALWAYS_INLINE T point(const T* s, const T* h, std::size_t stride, const T* y,
                                           std::size_t y_stride, std::size_t d, T* delta) {
        T m = s[0];
        for (std::size_t k = 1; k < d; ++k) m = s[k * stride] > m ? s[k * stride] : m;
        T sum = 0;
        for (std::size_t k = 0; k < d; ++k) sum = sum + fast_exp(s[k * stride] - m);
        const T lse = m + std::log(sum);
        T e = 0, y_sum = 0;
        for (std::size_t k = 0; k < d; ++k) {
            e = mul_add(y[k * y_stride], lse - s[k * stride], e);
            y_sum = y_sum + y[k * y_stride];
        }
        if (delta)
            for (std::size_t k = 0; k < d; ++k)
                delta[k * stride] = mul_add(h[k * stride], y_sum, -y[k * y_stride]);
        return e;
    }
    /// Rows of class probabilities: no entry negative, each row summing to 1 within a
    /// tolerance of rounding (d·10^-6 in double, d·10^-4 in float: labels made one-hot or
    /// probabilities normalised in either type pass).
    template <class T>
    static void check_targets(const T* y, std::size_t n, std::size_t d) {
        const double tolerance = double(d) * (sizeof(T) == 8 ? 1e-6 : 1e-4);
        for (std::size_t r = 0; r < n; ++r) {
            double sum = 0;
            for (std::size_t k = 0; k < d; ++k) {
                const T v = y[r * d + k];
                if (!(v >= T(0)))
                    throw std::invalid_argument(
                        "targets of a softmax output are rows of class probabilities (one-hot "
                        "for labels): y[" + std::to_string(r) + ", " + std::to_string(k) +
                        "] is " + number_text(double(v)));
                sum += double(v);
            }
            if (!(std::fabs(sum - 1) <= tolerance))
                throw std::invalid_argument(
                    "targets of a softmax output are rows of class probabilities (one-hot for "
                    "labels): row " + std::to_string(r) + " of y sums to " + number_text(sum) +
                    ", not 1");
        }
    }
};

}  // namespace deltaprop
