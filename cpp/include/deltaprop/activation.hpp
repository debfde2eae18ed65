// deltaprop/activation.hpp — θ, a layer's activation, as a part: what an activation type is.
//
// An activation is a small stateless type A (activations/: Tanh, Logistic, Relu, Identity,
// Softmax) with
//   A::name              its name, as Python, the CLI and the model file write it
//   A::hidden, A::output whether it may be the θ of a hidden layer, of the output layer
//   A::elementwise       whether θ acts on each signal alone; then
//     A::value(s)          θ(s), for a T or a Pack<T> (simd.hpp), lane by lane
//     A::derivative(x)     θ'(s), computed from x = θ(s) (required of a hidden θ)
//     A::derivative_needs  what derivative() reads (DerivativeNeeds below)
//   and otherwise (softmax, whose outputs share one sum)
//     A::columns(s, d, stride, n)   θ in place over n points stored as columns: s[j·stride + p]
//                                   is output j of point p
// all of them static and always inlined, templates over the value type, so one source serves
// scalar code and packs with the same bits. The layer-by-layer path (propagation.hpp) and the
// fused path (fused_block.hpp) are each written once as templates over these types; parts.hpp
// turns a network's runtime choice (a name from Python or a model file) into them, in one
// place. A type costs nothing at run time: the paths are compiled for each type, with θ inlined
// into their loops, and the choice is made once per layer, outside the loops.
//
// A new activation is one header in activations/ with such a type and its lines in parts.hpp
// (the enum value and the dispatch case).
#pragma once

#include <cstddef>
#include <type_traits>

namespace deltaprop {

/// What an activation's θ' is computed from. Backpropagation keeps a layer's activations
/// X^(ℓ) = θ(S^(ℓ)) (the gradient needs them anyway) and not its signals S^(ℓ): every θ' is a
/// function of x = θ(s) (tanh: 1 − x², logistic: x(1 − x), relu: 1 where x > 0) or a constant
/// (identity: 1).
enum class DerivativeNeeds {
    value,    ///< θ'(s) from x = θ(s)
    nothing,  ///< θ' is a constant
};

/// Compile-time check that A is an activation the paths can run, with a message that says
/// what is missing rather than a page of template errors.
template <class A>
constexpr bool check_activation() {
    static_assert(std::is_same_v<std::remove_cv_t<decltype(A::name)>, const char*>,
                  "an activation has a name: static constexpr const char* name");
    static_assert(A::hidden || A::output, "an activation is a hidden θ, an output θ or both");
    if constexpr (A::elementwise) {
        static_assert(std::is_same_v<decltype(A::value(0.0)), double> &&
                          std::is_same_v<decltype(A::value(0.0f)), float>,
                      "an elementwise activation has A::value(s) for double and float");
        static_assert(std::is_same_v<decltype(A::derivative(0.0)), double> &&
                          std::is_same_v<decltype(A::derivative(0.0f)), float>,
                      "an elementwise activation has A::derivative(x), θ' from x = θ(s)");
        static_assert(std::is_same_v<std::remove_cv_t<decltype(A::derivative_needs)>,
                                     DerivativeNeeds>,
                      "an activation says what its derivative needs: A::derivative_needs");
    } else {
        static_assert(!A::hidden, "a θ that is not elementwise is for the output layer only");
        static_assert(std::is_void_v<decltype(A::columns((double*)nullptr, 0, 0, 0))>,
                      "a θ that is not elementwise has A::columns(s, d, stride, n)");
    }
    return true;
}

}  // namespace deltaprop
