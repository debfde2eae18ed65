// deltaprop/activations/identity.hpp — θ(s) = s, the output of a regression network (or a
// linear hidden layer), and θ' = 1, as the activation type Identity (see activation.hpp).
#pragma once

#include "deltaprop/activation.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

/// θ = identity. Multiplying by its θ' = 1 is exact, and the compiler drops it.
struct Identity {
    static constexpr const char* name = "identity";
    static constexpr bool hidden = true, output = true, elementwise = true;
    static constexpr DerivativeNeeds derivative_needs = DerivativeNeeds::nothing;
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V value(V s) {
        return s;
    }
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V derivative(V) {
        return splat<V>(1);
    }
};
static_assert(check_activation<Identity>());

}  // namespace deltaprop
