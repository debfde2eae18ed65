// deltaprop/network.hpp — the network of the lecture: layers ℓ = 0..L of dimension d^(ℓ), and
// weight matrices W^(ℓ) of shape (d^(ℓ-1) + 1) × d^(ℓ) whose row 0 holds the biases.
//
// All weights live in one contiguous buffer, layer after layer, each W^(ℓ) row-major. The same
// layout serves gradients (G^(ℓ) has the shape of W^(ℓ)), so a gradient step is one loop over
// a flat array, and Python can view each W^(ℓ) as a numpy array without a copy.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "deltaprop/memory.hpp"
#include "deltaprop/parts.hpp"
#include "deltaprop/random.hpp"

namespace deltaprop {

/// Where each W^(ℓ) sits in a flat buffer of all weights.
class Layout {
public:
    /// The largest number of weights a network may have; buffers beyond it could not be indexed
    /// by the int-sized BLAS interface and would not fit in memory anyway.
    static constexpr std::size_t max_weights = std::size_t(1) << 31;

    Layout() = default;
    explicit Layout(std::vector<std::size_t> dims) : dims_(std::move(dims)) {
        if (dims_.size() < 2)
            throw std::invalid_argument("dims must name at least two layers (d0 and dL), got " +
                                        std::to_string(dims_.size()));
        for (std::size_t l = 0; l < dims_.size(); ++l) {
            if (dims_[l] == 0)
                throw std::invalid_argument("dims[" + std::to_string(l) +
                                            "] is 0: every layer needs at least one unit");
            if (dims_[l] >= max_weights)
                throw std::invalid_argument("dims[" + std::to_string(l) + "] = " +
                                            std::to_string(dims_[l]) + " is absurdly large");
        }
        offsets_.push_back(0);
        for (std::size_t l = 1; l < dims_.size(); ++l) {
            const std::size_t size = (dims_[l - 1] + 1) * dims_[l];  // both < 2^31: no overflow
            if (size > max_weights - offsets_.back())
                throw std::invalid_argument("network too large: more than 2^31 weights");
            offsets_.push_back(offsets_.back() + size);
        }
    }

    /// L, the number of weight layers.
    std::size_t n_layers() const { return dims_.empty() ? 0 : dims_.size() - 1; }
    /// d^(ℓ) for ℓ = 0..L.
    std::size_t dim(std::size_t l) const { return dims_[l]; }
    const std::vector<std::size_t>& dims() const { return dims_; }
    std::size_t n_inputs() const { return dims_.empty() ? 0 : dims_.front(); }
    std::size_t n_outputs() const { return dims_.empty() ? 0 : dims_.back(); }
    /// Offset of W^(ℓ), ℓ = 1..L, in the flat buffer.
    std::size_t offset(std::size_t l) const { return offsets_[l - 1]; }
    /// Number of entries of W^(ℓ): (d^(ℓ-1) + 1) · d^(ℓ).
    std::size_t size(std::size_t l) const { return offsets_[l] - offsets_[l - 1]; }
    std::size_t n_weights() const { return offsets_.empty() ? 0 : offsets_.back(); }
    /// The widest layer, which sizes the per-row scratch space.
    std::size_t max_dim() const {
        std::size_t m = 0;
        for (auto d : dims_) m = d > m ? d : m;
        return m;
    }

    bool operator==(const Layout& other) const { return dims_ == other.dims_; }
    bool operator!=(const Layout& other) const { return !(*this == other); }

private:
    std::vector<std::size_t> dims_;
    std::vector<std::size_t> offsets_;
};

/// A fully connected network with weights W^(1..L) of element type T (float or double), a θ per
/// layer and a loss (parts.hpp).
template <class T>
class Network {
    static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value,
                  "deltaprop::Network<T> is for float and double");

public:
    using value_type = T;

    /// All weights zero; call initialize() or assign them. std::invalid_argument when the
    /// parts do not fit the dims (parts.hpp, layer_activations).
    Network(std::vector<std::size_t> dims, const Parts& parts) : layout_(std::move(dims)) {
        activations_ = layer_activations(parts, layout_.n_layers() - 1, layout_.n_outputs());
        loss_ = parts.loss.value_or(default_loss(parts.output));
        allocate(w_, layout_.n_weights(), T(0), "dims " + describe() + ": the weights");
    }
    /// Weights drawn by initialize(seed).
    Network(std::vector<std::size_t> dims, const Parts& parts, std::uint64_t seed)
        : Network(std::move(dims), parts) {
        initialize(seed);
    }
    /// The lecture's network: tanh hidden layers, the given output θ and its default loss.
    Network(std::vector<std::size_t> dims, Output output)
        : Network(std::move(dims), Parts{{}, output, {}}) {}
    Network(std::vector<std::size_t> dims, Output output, std::uint64_t seed)
        : Network(std::move(dims), Parts{{}, output, {}}, seed) {}

    const Layout& layout() const { return layout_; }
    const std::vector<std::size_t>& dims() const { return layout_.dims(); }
    std::size_t n_layers() const { return layout_.n_layers(); }
    std::size_t n_weights() const { return layout_.n_weights(); }
    /// θ of layer ℓ = 1..L (the output layer's at ℓ = L).
    Activation activation(std::size_t l) const { return activations_[l - 1]; }
    /// θ of the output layer.
    Output output() const { return activations_.back(); }
    Loss loss() const { return loss_; }
    /// The parts, as a Parts that makes the same network.
    Parts parts() const {
        return {std::vector<Activation>(activations_.begin(), activations_.end() - 1), output(), loss_};
    }
    /// Whether the loss reads the output signals S^(L) (cross-entropy), which the paths then keep.
    bool keeps_output_signal() const {
        return with_loss(output(), loss_, [](auto, auto L) { return decltype(L)::needs_signal; });
    }

    /// W^(ℓ), ℓ = 1..L: (d^(ℓ-1) + 1) × d^(ℓ) row-major, row 0 the biases.
    T* weights(std::size_t l) { return w_.data() + layout_.offset(l); }
    const T* weights(std::size_t l) const { return w_.data() + layout_.offset(l); }
    /// W^(ℓ)_ij in the book's indices: ℓ = 1..L; i = 0..d^(ℓ-1), where row i = 0 holds the
    /// biases (it multiplies the constant x_0 = 1) and i ≥ 1 the weight of input i; j = 1..d^(ℓ),
    /// the unit fed, stored at column j − 1. Unchecked, for inner loops; at() checks.
    T& w(std::size_t l, std::size_t i, std::size_t j) {
        return weights(l)[i * layout_.dim(l) + (j - 1)];
    }
    T w(std::size_t l, std::size_t i, std::size_t j) const {
        return weights(l)[i * layout_.dim(l) + (j - 1)];
    }
    /// w(l, i, j) after checking each index; std::out_of_range naming the one outside its range.
    T& at(std::size_t l, std::size_t i, std::size_t j) {
        check_index(l, i, j);
        return w(l, i, j);
    }
    T at(std::size_t l, std::size_t i, std::size_t j) const {
        check_index(l, i, j);
        return w(l, i, j);
    }

    /// All weights, flat, layer after layer.
    T* data() { return w_.data(); }
    const T* data() const { return w_.data(); }
    /// Replace all weights by count = n_weights() values. The buffer itself never changes
    /// (views of it, such as Python's net.weights, stay valid for the network's lifetime).
    void assign(const T* values) { std::copy(values, values + w_.size(), w_.begin()); }
    const std::vector<T>& flat() const { return w_; }

    /// Small random weights, seeded: each W^(ℓ)_ij ~ N(0, σ_ℓ²) with σ_ℓ = 1/√(d^(ℓ-1) + 1), so
    /// that each signal s^(ℓ) starts with variance about that of one input and tanh starts in
    /// its linear region (e-Chapter 7 asks for small random weights to break the symmetry that
    /// all-zero weights cannot). A layer whose θ is relu gets σ_ℓ = √2/√(d^(ℓ-1) + 1) (He et
    /// al., 2015): relu passes half of a signal's variance on, and this keeps it from shrinking
    /// layer by layer. Deterministic on every platform (see random.hpp).
    void initialize(std::uint64_t seed) {
        Random rng(seed);
        for (std::size_t l = 1; l <= n_layers(); ++l) {
            const double gain = activation(l) == Activation::relu ? std::sqrt(2.0) : 1.0;
            const double sigma = gain / std::sqrt(double(layout_.dim(l - 1) + 1));
            T* wl = weights(l);
            for (std::size_t k = 0; k < layout_.size(l); ++k) wl[k] = T(sigma * rng.normal());
        }
    }

    /// "[d0, d1, ..., dL]"
    std::string describe() const {
        std::string out = "[";
        for (std::size_t l = 0; l < dims().size(); ++l)
            out += (l ? ", " : "") + std::to_string(dims()[l]);
        return out + "]";
    }

    /// True when every weight is finite.
    bool finite() const {
        for (T v : w_)
            if (!std::isfinite(v)) return false;
        return true;
    }

private:
    void check_index(std::size_t l, std::size_t i, std::size_t j) const {
        if (l < 1 || l > n_layers())
            throw std::out_of_range("layer l = " + std::to_string(l) + " is outside 1.." +
                                    std::to_string(n_layers()));
        if (i > layout_.dim(l - 1))
            throw std::out_of_range("row i = " + std::to_string(i) + " of W^(" +
                                    std::to_string(l) + ") is outside 0.." +
                                    std::to_string(layout_.dim(l - 1)) + " (0 is the bias row)");
        if (j < 1 || j > layout_.dim(l))
            throw std::out_of_range("column j = " + std::to_string(j) + " of W^(" +
                                    std::to_string(l) + ") is outside 1.." +
                                    std::to_string(layout_.dim(l)));
    }

    Layout layout_;
    std::vector<Activation> activations_;  ///< θ of layers 1..L
    Loss loss_ = Loss::squared_error;
    std::vector<T> w_;
};

/// Throws std::invalid_argument naming the first weight that is NaN or infinite, as
/// W^(ℓ)[i, j] with i and j counted from 0 (row 0 the biases), the indices of Python's
/// net.weights[ℓ-1]. Called before training: weights that are not finite from the start
/// would otherwise surface later as a divergence that a smaller learning rate cannot cure.
template <class T>
void check_finite_weights(const Network<T>& net) {
    if (net.finite()) return;  // the common case: one pass, no index arithmetic
    for (std::size_t l = 1; l <= net.n_layers(); ++l) {
        const std::size_t cols = net.layout().dim(l);
        const T* W = net.weights(l);
        for (std::size_t k = 0; k < net.layout().size(l); ++k) {
            if (std::isfinite(W[k])) continue;
            const std::size_t i = k / cols, j = k % cols;
            throw std::invalid_argument(
                "the weights are not finite before training: W^(" + std::to_string(l) + ")[" +
                std::to_string(i) + ", " + std::to_string(j) + "] (layer " + std::to_string(l) +
                ", row " + std::to_string(i) + (i == 0 ? " (the biases)" : "") + ", column " +
                std::to_string(j) + ", counted from 0) is " +
                (std::isnan(W[k]) ? "NaN" : W[k] > 0 ? "+inf" : "-inf") +
                "; set finite weights (initialize them or assign new ones) before training");
        }
    }
}

}  // namespace deltaprop
