// deltaprop/losses/squared_error.hpp — the lecture's squared error, as the loss type
// SquaredError (see loss.hpp for what such a type is):
//     e_n = ‖h(x_n) − y_n‖²,      δ^(L) = 2 (x^(L) − y) ⊙ θ'(s^(L)).
// It goes with the elementwise output θ that have a derivative: tanh, identity, logistic.
#pragma once

#include "deltaprop/simd.hpp"

namespace deltaprop {

struct SquaredError {
    static constexpr bool elementwise = true;
    static constexpr bool needs_signal = false;  ///< e and δ from x = θ(s) alone
    /// acc + (x − y)², the square fused into the sum (a mul_add). (s is not used.)
    template <class V>
    static DELTAPROP_ALWAYS_INLINE V add_error(V acc, V /*s*/, V x, V y) {
        const V e = x - y;
        return mul_add(e, e, acc);
    }
    /// 2 (x − y) θ'(s), θ' from x = θ(s). The factor 2·θ' is formed first: for identity
    /// (θ' = 1) it is the constant 2, and δ = 2e exactly.
    template <class Output, class V>
    static DELTAPROP_ALWAYS_INLINE V delta(V /*s*/, V x, V y) {
        return (x - y) * (splat<V>(2) * Output::derivative(x));
    }
    /// Any targets will do.
    template <class T>
    static void check_targets(const T*, std::size_t, std::size_t) {}
};

}  // namespace deltaprop
