// deltaprop/sgd.hpp — stochastic gradient descent, W(t+1) = W(t) − η ∇e_n: one update on one
// point's error e_n = ‖h(x_n) − y_n‖², and an epoch of N of them in a seeded random order.
// (The batch step on E_in is gd_step, in descent.hpp.)
// The SGD update needs no gradient buffer: after forward and backward for point n, each
// W^(ℓ) ← W^(ℓ) − η x^(ℓ-1) (δ^(ℓ))ᵀ is applied in place, touching only the weights and one row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include "deltaprop/checks.hpp"
#include "deltaprop/gradient.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/propagation.hpp"
#include "deltaprop/random.hpp"

namespace deltaprop {

/// One SGD update on point n: W ← W − η ∇e_n(W). ws needs capacity ≥ 1.
/// Returns e_n before the update.
template <class T>
double sgd_update(Network<T>& net, const T* x, const T* y, T eta, Workspace<T>& ws) {
    forward(net, x, 1, ws);
    const double e = backward(net, y, 1, ws);
    for (std::size_t l = 1; l <= net.n_layers(); ++l) {
        const std::size_t d_in = net.layout().dim(l - 1), d_out = net.layout().dim(l);
        const T* xin = ws.x(l - 1);  // for one point, a column is a plain vector
        const T* dl = ws.delta(l);
        T* W = net.weights(l);
        for (std::size_t j = 0; j < d_out; ++j) W[j] -= eta * dl[j];  // bias row: x_0 = 1
        for (std::size_t i = 0; i < d_in; ++i) {
            const T step = eta * xin[i];
            T* row = W + (i + 1) * d_out;
            for (std::size_t j = 0; j < d_out; ++j) row[j] -= step * dl[j];
        }
    }
    return e;
}

/// The order of one SGD epoch: a permutation of 0..n-1 drawn from rng.
inline void epoch_order(Random& rng, std::vector<std::uint64_t>& order, std::size_t n) {
    order.resize(n);
    std::iota(order.begin(), order.end(), std::uint64_t(0));
    rng.shuffle(order.data(), n);
}

/// The points of successive batches of a stochastic method: each epoch a fresh order drawn
/// from the seed, taken batch by batch (a short last batch is dropped).
class EpochOrders {
public:
    EpochOrders(std::uint64_t seed, std::size_t n) : rng_(seed), n_(n), position_(n) {}

    /// The next batch of points (batch ≤ n), valid until the next call.
    const std::uint64_t* next(std::size_t batch) {
        if (position_ + batch > n_) {  // a new epoch
            epoch_order(rng_, order_, n_);
            position_ = 0;
        }
        const std::uint64_t* rows = order_.data() + position_;
        position_ += batch;
        return rows;
    }

private:
    Random rng_;
    std::size_t n_, position_;  // position within the current epoch's order
    std::vector<std::uint64_t> order_;
};

/// One SGD epoch: N single-point updates in a random order drawn from rng.
/// Returns the mean of the per-point errors e_n met along the way (each before its update).
template <class T>
double sgd_epoch(Network<T>& net, const Data<T>& data, T eta, Random& rng, Workspace<T>& ws,
                 std::vector<std::uint64_t>& order) {
    check_learning_rate(double(eta));
    check_data(net, data);
    check_finite_weights(net);
    epoch_order(rng, order, data.n);
    const std::size_t d0 = net.layout().n_inputs(), dL = net.layout().n_outputs();
    double sum = 0;
    for (std::uint64_t n : order) sum += sgd_update(net, data.x + n * d0, data.y + n * dL, eta, ws);
    return sum / double(data.n);
}

/// One SGD epoch with its order drawn from `seed` (convenience; allocates its scratch).
template <class T>
double sgd_epoch(Network<T>& net, const Data<T>& data, T eta, std::uint64_t seed) {
    Random rng(seed);
    Workspace<T> ws(net.layout(), 1);
    std::vector<std::uint64_t> order;
    return sgd_epoch(net, data, eta, rng, ws, order);
}

}  // namespace deltaprop
