// deltaprop/activations/softmax.hpp — the softmax output θ_k(s) = e^{s_k} / Σ_j e^{s_j}: a
// point's outputs are the probabilities of the classes, positive and summing to 1. It is the
// output θ of multi-class classification, with the cross-entropy loss
// (losses/cross_entropy.hpp), which computes δ^(L) itself: Softmax needs no θ'.
#pragma once

#include <algorithm>
#include <cstddef>

#include "deltaprop/activation.hpp"
#include "deltaprop/fast_exp.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

struct Softmax {
    static constexpr const char* name = "softmax";
    static constexpr bool hidden = false, output = true, elementwise = false;

    /// In place over n points stored as columns (s[j·stride + p]: output j of point p, d
    /// outputs): s_j ← e^{s_j − m} / Σ_i e^{s_i − m} with m = max_i s_i, so no e^x overflows.
    /// Each point's operations are the same in any n and stride (the paths' same bits); the
    /// points are taken a group at a time so the loops over them vectorise.
    template <class T>
    static DELTAPROP_ALWAYS_INLINE void columns(T* s, std::size_t d, std::size_t stride,
                                                std::size_t n) {
        constexpr std::size_t group = 64;
        T m[group], sum[group];
        for (std::size_t p0 = 0; p0 < n; p0 += group) {
            const std::size_t w = std::min(group, n - p0);
            T* s0 = s + p0;
            for (std::size_t p = 0; p < w; ++p) m[p] = s0[p];
            for (std::size_t j = 1; j < d; ++j)
                for (std::size_t p = 0; p < w; ++p) {
                    const T v = s0[j * stride + p];
                    m[p] = v > m[p] ? v : m[p];  // a NaN signal reaches the sum below
                }
            for (std::size_t p = 0; p < w; ++p) sum[p] = T(0);
            for (std::size_t j = 0; j < d; ++j)
                for (std::size_t p = 0; p < w; ++p) {
                    const T e = fast_exp(s0[j * stride + p] - m[p]);
                    s0[j * stride + p] = e;
                    sum[p] = sum[p] + e;
                }
            for (std::size_t j = 0; j < d; ++j)
                for (std::size_t p = 0; p < w; ++p) s0[j * stride + p] = s0[j * stride + p] / sum[p];
        }
    }
};
static_assert(check_activation<Softmax>());

}  // namespace deltaprop
