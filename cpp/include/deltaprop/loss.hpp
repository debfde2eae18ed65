// deltaprop/loss.hpp — the loss as a part: what a loss type is.
//
// A loss is a small stateless type with
//   Loss::add_error(acc, x, y)         acc + e(x, y): one output's term of E, added into a
//                                      running sum (so that a loss may fuse the addition)
//   Loss::delta<Output>(x, y)          δ^(L) = ∂e/∂s^(L) of that output, for the output layer's
//                                      activation type Output (activation.hpp)
// x = x^(L) and y one output's value and target, each a T or a Pack<T> (simd.hpp), all static
// and always inlined. E over a block is the sum of the terms: the error path (E alone) and the
// gradient path (E and δ^(L)), layer by layer (propagation.hpp) and fused (fused_block.hpp),
// all take both from the loss type that parts.hpp picks, so the loss's equations exist once.
// Each path sums the terms in the core's fixed lane order (small_products.hpp), so every path
// gives the same bits.
//
// A new loss is one header in losses/ with such a type and one line in parts.hpp's dispatch.
#pragma once

#include "deltaprop/losses/squared_error.hpp"
