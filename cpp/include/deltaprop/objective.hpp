// deltaprop/objective.hpp — what the full-batch methods minimise: flat weights in, E_in and
// the gradient out, with the penalty Ω folded in (E_aug = E_in + Ω, ∇E_aug = ∇E_in + ∇Ω).
//
// An Objective supplies E_in and ∇E_in at given weights; the penalty and the count of
// evaluations are added here, once, for every kind: the local one over the threaded evaluator
// (local_objective.hpp) and CallableObjective over any function (a test's quadratic, a Python
// callable, a sum over a cluster's partitions).
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "deltaprop/regularization.hpp"

namespace deltaprop {

/// The objective at some weights: E_in, kept for the history, and E_aug = E_in + Ω(w), which
/// the methods minimise.
struct Evaluation {
    double error = 0;
    double augmented = 0;
};

template <class T>
class Objective {
public:
    Objective(std::size_t n_weights, const Regularizer& penalty)
        : n_(n_weights), penalty_(penalty) {}
    virtual ~Objective() = default;

    std::size_t n_weights() const { return n_; }
    const Regularizer& penalty() const { return penalty_; }
    /// Evaluations so far (each a pass over the training data for the local objective).
    std::size_t evaluations() const { return evaluations_; }

    /// E_in(w) and E_aug(w).
    Evaluation value(const T* w) {
        ++evaluations_;
        return with_penalty(w, error(w));
    }

    /// E_in(w) and E_aug(w), and g ← ∇E_aug(w) (n_weights entries).
    Evaluation value_and_gradient(const T* w, T* g) {
        ++evaluations_;
        const double e = error_and_gradient(w, g);
        penalty_.add_gradient(w, n_, g);
        return with_penalty(w, e);
    }

protected:
    /// E_in(w).
    virtual double error(const T* w) = 0;
    /// E_in(w), and g ← ∇E_in(w).
    virtual double error_and_gradient(const T* w, T* g) = 0;

private:
    Evaluation with_penalty(const T* w, double e) const {
        return Evaluation{e, e + penalty_.value(w, n_)};
    }

    std::size_t n_;
    Regularizer penalty_;
    std::size_t evaluations_ = 0;
};

/// An Objective from a function f(w, g) → E_in(w) that also writes ∇E_in(w) into g unless g is
/// null. The caller of fit-like loops over it owns what the function needs (a lock, the GIL).
template <class T>
class CallableObjective : public Objective<T> {
public:
    using Function = std::function<double(const T* w, T* g)>;

    CallableObjective(std::size_t n_weights, Function f, const Regularizer& penalty = {})
        : Objective<T>(n_weights, penalty), f_(std::move(f)) {}

protected:
    double error(const T* w) override { return f_(w, nullptr); }
    double error_and_gradient(const T* w, T* g) override { return f_(w, g); }

private:
    Function f_;
};

/// ‖x‖ for n entries, summed in double.
template <class T>
double norm(const T* x, std::size_t n) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += double(x[i]) * double(x[i]);
    return std::sqrt(s);
}

template <class T>
double norm(const std::vector<T>& x) {
    return norm(x.data(), x.size());
}

}  // namespace deltaprop
