// deltaprop/parts.hpp — the one place where a network's parts, chosen at run time by name (from
// Python, the CLI or a model file), become the types the paths are compiled for: each layer's
// activation θ (activation.hpp, activations/) and the loss (loss.hpp, losses/), and which
// (output θ, loss) pairs exist.
//
// The paths — layer by layer (propagation.hpp) and fused (fused_block.hpp) — ask here once per
// layer: with_activation() calls a function template with the layer's θ type, with_loss() with
// the output layer's (θ type, loss type). Each type is its own instantiation of the loops, with
// its formulas inlined: no call per element, and no branch inside a loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "deltaprop/activation.hpp"
#include "deltaprop/activations/identity.hpp"
#include "deltaprop/activations/logistic.hpp"
#include "deltaprop/activations/relu.hpp"
#include "deltaprop/activations/softmax.hpp"
#include "deltaprop/activations/tanh.hpp"
#include "deltaprop/loss.hpp"
#include "deltaprop/simd.hpp"

namespace deltaprop {

/// A layer's θ. (`count` counts them; it is not an activation.)
enum class Activation : std::uint8_t { tanh, logistic, relu, identity, softmax, count };
/// The output layer's θ: an Activation whose type says `output` (Output::tanh, Output::identity,
/// ... as before hidden layers had a choice).
using Output = Activation;
/// The loss, by the name the user gives; with_loss() picks its type for the output θ.
enum class Loss : std::uint8_t { squared_error, cross_entropy, count };

/// f(A{}) for the type of θ = a; returns what f returns. f's call operator should be always
/// inlined (DELTAPROP_INLINE_LAMBDA), so that it is compiled for the instruction set of the
/// function that calls this (simd.hpp's clones).
template <class F>
DELTAPROP_ALWAYS_INLINE decltype(auto) with_activation(Activation a, F&& f) {
    switch (a) {
        case Activation::logistic: return f(Logistic{});
        case Activation::relu: return f(Relu{});
        case Activation::identity: return f(Identity{});
        case Activation::softmax: return f(Softmax{});
        default: break;
    }
    return f(Tanh{});
}

/// f(Output{}, LossType{}) for the output θ and the loss's type for it: the pairs that exist.
/// The pair is checked when a network is made (check_pair), so no other reaches here.
template <class F>
DELTAPROP_ALWAYS_INLINE decltype(auto) with_loss(Activation output, Loss loss, F&& f) {
    if (loss == Loss::cross_entropy) {
        if (output == Activation::softmax) return f(Softmax{}, SoftmaxCrossEntropy{});
        return f(Logistic{}, LogisticCrossEntropy{});
    }
    switch (output) {
        case Activation::logistic: return f(Logistic{}, SquaredError{});
        case Activation::identity: return f(Identity{}, SquaredError{});
        default: break;
    }
    return f(Tanh{}, SquaredError{});
}

/// Whether the pair exists (the pairs with_loss() knows).
inline bool pair_exists(Activation output, Loss loss) {
    if (loss == Loss::cross_entropy)
        return output == Activation::softmax || output == Activation::logistic;
    return output == Activation::tanh || output == Activation::identity ||
           output == Activation::logistic;
}
/// The loss a network gets when none is named: cross-entropy for softmax, else squared error.
inline Loss default_loss(Activation output) {
    return output == Activation::softmax ? Loss::cross_entropy : Loss::squared_error;
}

inline const char* to_string(Loss l) {
    return l == Loss::cross_entropy ? "cross_entropy" : "squared_error";
}

// --- names: from the types, so each is written once ----------------------------------------

inline const char* to_string(Activation a) {
    if (a >= Activation::count) return "?";
    return with_activation(a, [](auto A) { return decltype(A)::name; });
}
/// Whether θ = a may be a hidden layer's (hidden = true) or the output layer's.
inline bool has_role(Activation a, bool hidden) {
    return with_activation(a, [&](auto A) { return hidden ? decltype(A)::hidden : decltype(A)::output; });
}

namespace detail {
inline std::string quoted_list(const std::vector<std::string>& names) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "\"" : ", \"") + n + "\"";
    return list;
}
}  // namespace detail

/// The names of the θ that may be hidden (hidden = true) or output θ, in the enum's order.
inline std::vector<std::string> activation_names(bool hidden) {
    std::vector<std::string> names;
    for (int i = 0; i < int(Activation::count); ++i)
        if (has_role(Activation(i), hidden)) names.push_back(to_string(Activation(i)));
    return names;
}
inline std::vector<std::string> loss_names() {
    std::vector<std::string> names;
    for (int i = 0; i < int(Loss::count); ++i) names.push_back(to_string(Loss(i)));
    return names;
}
/// The output θ names, quoted, for messages (the model file's).
inline std::string output_name_list() { return detail::quoted_list(activation_names(false)); }

/// θ by name, for a hidden layer (hidden = true) or the output layer; std::invalid_argument
/// naming the ones that exist otherwise.
inline Activation activation_from_string(const std::string& s, bool hidden) {
    for (int i = 0; i < int(Activation::count); ++i)
        if (s == to_string(Activation(i)) && has_role(Activation(i), hidden)) return Activation(i);
    throw std::invalid_argument(std::string(hidden ? "activation" : "output") + " must be one of " +
                                detail::quoted_list(activation_names(hidden)) + ", got \"" + s + "\"");
}
inline Output output_from_string(const std::string& s) { return activation_from_string(s, false); }
inline Loss loss_from_string(const std::string& s) {
    for (int i = 0; i < int(Loss::count); ++i)
        if (s == to_string(Loss(i))) return Loss(i);
    throw std::invalid_argument("loss must be one of " + detail::quoted_list(loss_names()) +
                                ", got \"" + s + "\"");
}

/// "tanh + squared_error, ...": the pairs that exist, for messages.
inline std::string pair_list() {
    std::string list;
    for (const auto& o : activation_names(false))
        for (const auto& l : loss_names())
            if (pair_exists(output_from_string(o), loss_from_string(l)))
                list += (list.empty() ? "" : ", ") + o + " + " + l;
    return list;
}

/// A network's parts: the θ of each hidden layer, the output θ and the loss. Empty `hidden`
/// means tanh in every hidden layer, as in the lecture; no loss means default_loss(output).
struct Parts {
    std::vector<Activation> hidden;
    Activation output = Activation::tanh;
    std::optional<Loss> loss;
};

/// The θ of layers 1..L (entry ℓ−1 for layer ℓ) and the loss, from parts, for a network with
/// n_hidden hidden layers and n_outputs outputs; std::invalid_argument naming what does not fit.
inline std::vector<Activation> layer_activations(const Parts& parts, std::size_t n_hidden,
                                                 std::size_t n_outputs) {
    if (!parts.hidden.empty() && parts.hidden.size() != n_hidden)
        throw std::invalid_argument(
            "activation names one θ per hidden layer: the network has " +
            std::to_string(n_hidden) + " hidden layer" + (n_hidden == 1 ? "" : "s") + ", " +
            std::to_string(parts.hidden.size()) + " activation" +
            (parts.hidden.size() == 1 ? " was" : "s were") + " given");
    std::vector<Activation> layers(n_hidden, Activation::tanh);
    for (std::size_t l = 0; l < parts.hidden.size(); ++l) {
        if (parts.hidden[l] >= Activation::count || !has_role(parts.hidden[l], true))
            throw std::invalid_argument(
                "activation of hidden layer " + std::to_string(l + 1) + " must be one of " +
                detail::quoted_list(activation_names(true)) + ", got \"" +
                to_string(parts.hidden[l]) + "\"");
        layers[l] = parts.hidden[l];
    }
    if (parts.output >= Activation::count || !has_role(parts.output, false))
        throw std::invalid_argument("output must be one of " + output_name_list() + ", got \"" +
                                    to_string(parts.output) + "\"");
    const Loss loss = parts.loss.value_or(default_loss(parts.output));
    if (loss >= Loss::count || !pair_exists(parts.output, loss))
        throw std::invalid_argument(
            "output \"" + std::string(to_string(parts.output)) + "\" with loss \"" +
            to_string(loss) + "\" is not a pair deltaprop has; the pairs are " + pair_list());
    if (parts.output == Activation::softmax && n_outputs < 2)
        throw std::invalid_argument(
            "a softmax output needs at least 2 units (one per class), the last layer has " +
            std::to_string(n_outputs));
    layers.push_back(parts.output);
    return layers;
}

/// Throws std::invalid_argument naming the first of the n rows of targets y (d each) that the
/// loss cannot take with this output θ (softmax: rows of probabilities; logistic with
/// cross-entropy: values in [0, 1]; squared error: any).
template <class T>
void check_targets(Activation output, Loss loss, const T* y, std::size_t n, std::size_t d) {
    with_loss(output, loss, [&](auto, auto L) { decltype(L)::check_targets(y, n, d); });
}

}  // namespace deltaprop
