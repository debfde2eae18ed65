// deltaprop/loss.hpp — the loss as a part: what a loss type is.
//
// The user names a loss ("squared_error", "cross_entropy"); parts.hpp pairs it with the output
// θ and picks the type that computes it for that θ (losses/: SquaredError, LogisticCrossEntropy,
// SoftmaxCrossEntropy). A loss type is small and stateless, with
//   Loss::needs_signal               whether it reads the output signals s^(L) (the paths then
//                                    keep them beside X^(L) = θ(S^(L)))
//   Loss::elementwise                whether each output's term stands alone; then
//     Loss::add_error(acc, s, x, y)    acc + e(s, x, y): one output's term of e_n, added into a
//                                      running sum (so that a loss may fuse the addition)
//     Loss::delta<Output>(s, x, y)     δ^(L) = ∂e/∂s^(L) of that output, for the output θ's
//                                      type Output (activation.hpp)
//   with s, x = θ(s) and y one output's signal, value and target, each a T or a Pack<T>;
//   otherwise (softmax's, whose outputs share a normaliser)
//     Loss::point(s, h, stride, y, y_stride, d, delta)   one point's e_n, and its δ^(L) unless
//                                      delta is null, from its d outputs stored with a stride
//   and Loss::check_targets(y, n, d), which throws std::invalid_argument naming the first target
//   (n rows of d) the loss cannot take.
// All are static and always inlined. E over a block is the sum of the terms: the error path (E
// alone) and the gradient path (E and δ^(L)), layer by layer (propagation.hpp) and fused
// (fused_block.hpp), all take both from the loss type, so each loss's equations exist once.
// Each path sums the terms in the core's fixed lane order (small_products.hpp), so every path
// gives the same bits.
//
// A new loss is one header in losses/ with such a type and its lines in parts.hpp (the enum
// value, its name and the output θ it pairs with).
#pragma once

#include "deltaprop/losses/cross_entropy.hpp"
#include "deltaprop/losses/squared_error.hpp"
