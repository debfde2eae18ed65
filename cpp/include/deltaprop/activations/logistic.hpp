// deltaprop/activations/logistic.hpp — the logistic θ(s) = 1/(1 + e^−s), whose values lie in
// (0, 1), and θ'(s) = θ(s)(1 − θ(s)), as the activation type Logistic (see activation.hpp).
#pragma once

#include "deltaprop/activation.hpp"
#include "deltaprop/fast_exp.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

/// θ = logistic. As for tanh, θ' is a function of x = θ(s), so only X^(ℓ) is kept.
/// e^−s is fast_exp's, so for s below about −708 (−87 in float) θ is e^−708-ish rather than 0.
struct Logistic {
    static constexpr const char* name = "logistic";
    static constexpr bool hidden = true, output = true, elementwise = true;
    static constexpr DerivativeNeeds derivative_needs = DerivativeNeeds::value;
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V value(V s) {
        return splat<V>(1) / (splat<V>(1) + fast_exp(-s));
    }
    /// x − x², rounded once.
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V derivative(V x) {
        return mul_add(-x, x, x);
    }
};
static_assert(check_activation<Logistic>());

}  // namespace deltaprop
