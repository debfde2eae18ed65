// deltaprop/activation.hpp — θ, a layer's activation, as a part: what an activation type is.
//
// An activation is a small stateless type A (activations/: Tanh, Identity) with
//   A::value(s)          θ(s), for a T or a Pack<T> (simd.hpp), lane by lane
//   A::derivative(x)     θ'(s), computed from x = θ(s), for a T or a Pack<T>
//   A::derivative_needs  what derivative() reads (DerivativeNeeds below)
// all of them static and always inlined, templates over the value type V, so one source serves
// scalar code and packs with the same bits. The layer-by-layer path (propagation.hpp) and the
// fused path (fused_block.hpp) are each written once as templates over the activation of the
// hidden layers and that of the output layer, and the loss (loss.hpp); parts.hpp turns a
// network's runtime choice into these types, in one place. A type costs nothing at run time:
// the paths are compiled for each combination, with θ inlined into their loops.
//
// A new activation is one header in activations/ with such a type, one line in parts.hpp's
// dispatch and its name beside Output's (network.hpp).
#pragma once

#include <type_traits>

namespace deltaprop {

/// What an activation's θ' is computed from. Backpropagation keeps a layer's activations
/// X^(ℓ) = θ(S^(ℓ)) (the gradient needs them anyway) and not its signals S^(ℓ): every θ' is a
/// function of x = θ(s) (tanh: 1 − x²) or a constant (identity: 1).
enum class DerivativeNeeds {
    value,    ///< θ'(s) from x = θ(s)
    nothing,  ///< θ' is a constant
};

/// Compile-time check that A is an activation the paths can run, with a message that says
/// what is missing rather than a page of template errors.
template <class A>
constexpr bool check_activation() {
    static_assert(std::is_same_v<std::remove_cv_t<decltype(A::derivative_needs)>, DerivativeNeeds>,
                  "an activation says what its derivative needs: A::derivative_needs");
    static_assert(std::is_same_v<decltype(A::value(0.0)), double> &&
                      std::is_same_v<decltype(A::value(0.0f)), float>,
                  "an activation has A::value(s) for double and float");
    static_assert(std::is_same_v<decltype(A::derivative(0.0)), double> &&
                      std::is_same_v<decltype(A::derivative(0.0f)), float>,
                  "an activation has A::derivative(x), θ' from x = θ(s), for double and float");
    return true;
}

}  // namespace deltaprop
