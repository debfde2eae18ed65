// deltaprop/parts.hpp — the one place where a network's parts, chosen at run time (the output
// θ from a Python string or a model file's field, see Output in network.hpp), become the types
// the paths are compiled for: the hidden layers' activation, the output layer's, and the loss.
//
// Both paths call it once per call: the layer-by-layer one (propagation.hpp) and the fused one
// (fused_block.hpp). Each combination of types is its own instantiation of the path, with the
// parts' formulas inlined into its loops: no call per element, and no branch inside a loop.
#pragma once

#include "deltaprop/activation.hpp"
#include "deltaprop/activations/identity.hpp"
#include "deltaprop/activations/tanh.hpp"
#include "deltaprop/loss.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

/// f(Hidden{}, OutputActivation{}, Loss{}) for the parts `output` names; returns what f
/// returns. Hidden layers are tanh and the loss the squared error, as in the lecture. f's call
/// operator should be always inlined (DELTAPROP_INLINE_LAMBDA), so that it is compiled for the
/// instruction set of the function that calls dispatch_parts (simd.hpp's clones).
template <class F>
DELTAPROP_ALWAYS_INLINE decltype(auto) dispatch_parts(Output output, F&& f) {
    switch (output) {
        case Output::identity: return f(Tanh{}, Identity{}, SquaredError{});
        case Output::tanh: break;
    }
    return f(Tanh{}, Tanh{}, SquaredError{});
}

}  // namespace deltaprop
