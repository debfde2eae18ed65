// deltaprop/activations/relu.hpp — the rectified linear unit θ(s) = max(s, 0), and θ'(s) = 1
// for s > 0 and 0 otherwise (0 at the kink s = 0, the usual choice), as the activation type
// Relu (see activation.hpp). For hidden layers; its layers start with He-scaled weights
// (Network::initialize).
#pragma once

#include <type_traits>

#include "deltaprop/activation.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

/// θ = relu. θ' is read from x = θ(s): x > 0 exactly where s > 0.
struct Relu {
    static constexpr const char* name = "relu";
    static constexpr bool hidden = true, output = false, elementwise = true;
    static constexpr DerivativeNeeds derivative_needs = DerivativeNeeds::value;
    /// s where s ≥ 0 or s is NaN (a diverged network stays visibly diverged), else 0.
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V value(V s) {
        const V zero = splat<V>(0);
        return s < zero ? zero : s;
    }
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V derivative(V x) {
        const V zero = splat<V>(0), one = splat<V>(1);
        return x > zero ? one : zero;
    }
};
static_assert(check_activation<Relu>());

}  // namespace deltaprop
