// deltaprop/batch_source.hpp — what the stochastic methods (sgd, minibatch) train on: the
// gradient of one point or of a batch of points of the training data, at the network's
// weights, with the penalty's gradient folded in.
//
// A concrete class, not an interface: a single-point update is the cheapest iteration there
// is, and a virtual call per update would show in its time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "deltaprop/gradient.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/propagation.hpp"
#include "deltaprop/regularization.hpp"
#include "deltaprop/sgd.hpp"

namespace deltaprop {

/// A batch's error and gradient: the mean gradient (with ∇Ω) is scale·g elementwise.
template <class T>
struct BatchGradient {
    double error;  ///< E_batch, the mean of the points' e_n
    T scale;       ///< 1/B while g holds the sum over the batch, else 1
};

template <class T>
class BatchSource {
public:
    BatchSource(Network<T>& net, const Data<T>& data, Evaluator<T>& evaluator,
                const Regularizer& penalty)
        : net_(net), data_(data), evaluator_(evaluator), penalty_(penalty),
          d0_(net.layout().n_inputs()), dL_(net.layout().n_outputs()) {}

    std::size_t size() const { return data_.n; }
    const Regularizer& penalty() const { return penalty_; }
    std::size_t points() const { return points_; }  ///< points propagated so far
    std::size_t gradients() const { return gradients_; }  ///< point or batch gradients so far

    /// Allocates for single-point calls.
    void reserve_point() { ws1_ = Workspace<T>(net_.layout(), 1); }

    /// Allocates for batches of B ≤ size() points: a batch of at most one block runs on this
    /// thread as the evaluator would run it, without its partial sums; a larger one goes
    /// through the evaluator, so the workspace stays one block whatever the batch size.
    void reserve_batch(std::size_t B) {
        yb_.resize(B * dL_);
        if (B <= evaluator_.block_rows)
            ws_batch_ = Workspace<T>(net_.layout(), B);
        else
            xb_.resize(B * d0_);
    }

    /// SGD's lean update on point k: W ← W − η ∇e_k in place, no gradient buffer; valid only
    /// without a penalty. Returns e_k before the update.
    double descend_on_point(std::uint64_t k, T eta) {
        ++points_;
        ++gradients_;
        return sgd_update(net_, data_.x + k * d0_, data_.y + k * dL_, eta, ws1_);
    }

    /// g ← ∇e_k + ∇Ω at the current weights; returns e_k.
    double point_gradient(std::uint64_t k, T* g) {
        ++points_;
        ++gradients_;
        forward(net_, data_.x + k * d0_, 1, ws1_);
        const double e = backward(net_, data_.y + k * dL_, 1, ws1_);
        std::fill(g, g + net_.n_weights(), T(0));
        accumulate_gradient(net_, 1, ws1_, g);
        penalty_.add_gradient(net_.data(), net_.n_weights(), g);
        return e;
    }

    /// The batch rows[0..B) at the current weights: E_batch, and g such that scale·g is the
    /// mean gradient plus ∇Ω.
    BatchGradient<T> batch_gradient(const std::uint64_t* rows, std::size_t B, T* g) {
        points_ += B;
        ++gradients_;
        const std::size_t nw = net_.n_weights();
        for (std::size_t r = 0; r < B; ++r)
            std::copy(data_.y + rows[r] * dL_, data_.y + (rows[r] + 1) * dL_, yb_.data() + r * dL_);
        if (B > ws_batch_.capacity()) {  // the evaluator's blocks and fixed workspace (it scales g)
            for (std::size_t r = 0; r < B; ++r)
                std::copy(data_.x + rows[r] * d0_, data_.x + (rows[r] + 1) * d0_, xb_.data() + r * d0_);
            const double e = evaluator_.error_and_gradient(net_, Data<T>{xb_.data(), yb_.data(), B}, g);
            penalty_.add_gradient(net_.data(), nw, g);
            return {e, T(1)};
        }
        gather_columns(net_.layout(), data_.x, rows, B, ws_batch_);
        propagate(net_, B, ws_batch_);
        const double e = backward(net_, yb_.data(), B, ws_batch_);
        std::fill(g, g + nw, T(0));
        accumulate_gradient(net_, B, ws_batch_, g);
        const T inv_b = T(1) / T(B);  // the mean over the batch
        if (penalty_.active()) {  // ∇Ω adds to the mean
            for (std::size_t i = 0; i < nw; ++i) g[i] *= inv_b;
            penalty_.add_gradient(net_.data(), nw, g);
            return {e / double(B), T(1)};
        }
        return {e / double(B), inv_b};
    }

private:
    Network<T>& net_;
    Data<T> data_;
    Evaluator<T>& evaluator_;
    Regularizer penalty_;
    std::size_t d0_, dL_;
    std::size_t points_ = 0, gradients_ = 0;
    Workspace<T> ws1_, ws_batch_;
    std::vector<T> xb_, yb_;
};

}  // namespace deltaprop
