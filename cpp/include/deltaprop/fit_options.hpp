// deltaprop/fit_options.hpp — the options of a training run, in one object with one validation.
//
// The options every method reads are plain fields with their defaults. The options that only
// some methods read (MethodOption) are std::optional: empty means "not given", so the method's
// default applies, and a given one that the chosen method does not read is an error (see
// check_options_apply in methods/registry.hpp, which knows what each method reads).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <utility>
#include <string>

#include "deltaprop/checks.hpp"
#include "deltaprop/regularization.hpp"

namespace deltaprop {

/// The options that only some methods read.
enum class MethodOption : unsigned {
    batch_size = 1u << 0,
    momentum = 1u << 1,
    increase = 1u << 2,
    decrease = 1u << 3,
    restart_every = 1u << 4,
    seed = 1u << 5,
    grad_tol = 1u << 6,
    c1 = 1u << 7,
    c2 = 1u << 8,
    max_line_evaluations = 1u << 9,
    memory = 1u << 10,
    beta1 = 1u << 11,
    beta2 = 1u << 12,
    eps = 1u << 13,
};

inline constexpr MethodOption all_method_options[] = {
    MethodOption::batch_size, MethodOption::momentum,      MethodOption::increase,
    MethodOption::decrease,   MethodOption::restart_every, MethodOption::seed,
    MethodOption::grad_tol,   MethodOption::c1,            MethodOption::c2,
    MethodOption::max_line_evaluations, MethodOption::memory, MethodOption::beta1,
    MethodOption::beta2,      MethodOption::eps};

inline const char* to_string(MethodOption o) {
    switch (o) {
        case MethodOption::batch_size: return "batch_size";
        case MethodOption::momentum: return "momentum";
        case MethodOption::increase: return "increase";
        case MethodOption::decrease: return "decrease";
        case MethodOption::restart_every: return "restart_every";
        case MethodOption::seed: return "seed";
        case MethodOption::grad_tol: return "grad_tol";
        case MethodOption::c1: return "c1";
        case MethodOption::c2: return "c2";
        case MethodOption::max_line_evaluations: return "max_line_evaluations";
        case MethodOption::memory: return "memory";
        case MethodOption::beta1: return "beta1";
        case MethodOption::beta2: return "beta2";
        case MethodOption::eps: return "eps";
    }
    return "?";
}

/// A set of MethodOption: what one method reads.
class MethodOptions {
public:
    MethodOptions() = default;
    MethodOptions(std::initializer_list<MethodOption> options) {
        for (MethodOption o : options) bits_ |= unsigned(o);
    }
    bool contains(MethodOption o) const { return (bits_ & unsigned(o)) != 0; }

private:
    unsigned bits_ = 0;
};

struct FitOptions {
    /// The method's registered name (methods/registry.hpp): gd, sgd, minibatch, variable_lr,
    /// steepest, conjugate_gradient, lbfgs, adam.
    std::string method = "gd";
    /// η, the step size; empty: the method's default (0.1; adam 0.001; lbfgs 1.0). For steepest,
    /// conjugate_gradient and lbfgs the length ‖Δw‖ of the first iteration's first trial step.
    std::optional<double> lr;
    /// Budget of iterations. An iteration is one step of the method: one weight update for gd,
    /// sgd and minibatch, one trial (accepted or not) for variable_lr, one line-search step for
    /// steepest and conjugate_gradient.
    std::size_t iterations = 1000;
    /// E_aug = E_in + Ω(w): "none", "weight_decay" or "weight_elimination" (regularization.hpp),
    /// with its λ.
    std::string penalty = "none";
    double lambda = 0;

    // --- read by some methods only (MethodOption); empty: not given, the default applies ----
    std::optional<std::size_t> batch_size;     ///< minibatch: points per update
    std::optional<double> momentum;            ///< gd, sgd, minibatch: v ← μv − ηg, W ← W + v
    /// variable_lr: η ← αη on success, η ← βη on failure, α > 1 and 0 < β < 1. The book
    /// (e-Chapter 7) suggests α ≈ 1.05–1.1 and β ≈ 0.5–0.8; the defaults (1.1 and 0.5) are the
    /// values its own example uses.
    std::optional<double> increase, decrease;
    std::optional<std::size_t> restart_every;  ///< conjugate_gradient: 0 means every n_weights steps
    std::optional<std::uint64_t> seed;         ///< sgd, minibatch: the seed of the epochs' orders
    /// The full-batch methods: stop when ‖∇E_aug‖ ≤ this (0: only on a zero gradient).
    std::optional<double> grad_tol;
    /// steepest, conjugate_gradient, lbfgs: the strong Wolfe conditions' constants
    /// (0 < c1 < c2 < 1; c2 defaults to 0.1 for steepest and conjugate_gradient, 0.9 for lbfgs)
    /// and the most evaluations one line search may take.
    std::optional<double> c1, c2;
    std::optional<std::size_t> max_line_evaluations;
    std::optional<std::size_t> memory;  ///< lbfgs: the (s, y) pairs kept
    /// adam: the decay rates of the gradient's first and second moments, and ε in
    /// m̂ / (√v̂ + ε).
    std::optional<double> beta1, beta2, eps;

    static constexpr std::size_t default_batch_size = 32;
    static constexpr double default_increase = 1.1, default_decrease = 0.5;
    static constexpr double max_factor = 0.999999;  ///< the largest momentum and decrease
    static constexpr double default_lr = 0.1;
    static constexpr double default_c1 = 1e-4;
    static constexpr std::size_t default_max_line_evaluations = 20;

    // --- the loop's ------------------------------------------------------------------------
    /// Record E_in (and the validation error) at every record_every-th iteration, or with
    /// record_every = 0 at about 20 iterations per decade: round(10^(j/20)), j = 0, 1, ...
    /// Iteration 0 (the start) and the last iteration are always recorded. The schedule is
    /// worked out as the run goes, so a long run costs no memory for it.
    std::size_t record_every = 1;
    std::optional<double> target_error;  ///< stop when E_in ≤ this
    std::optional<double> max_seconds;   ///< stop after this much wall-clock time
    /// With validation data: stop after this many recorded validations without a new best.
    std::optional<std::size_t> patience;
    double poll_seconds = 0.05;          ///< how often Monitor::poll is called

    /// Whether a method-specific option was given.
    bool given(MethodOption o) const {
        switch (o) {
            case MethodOption::batch_size: return batch_size.has_value();
            case MethodOption::momentum: return momentum.has_value();
            case MethodOption::increase: return increase.has_value();
            case MethodOption::decrease: return decrease.has_value();
            case MethodOption::restart_every: return restart_every.has_value();
            case MethodOption::seed: return seed.has_value();
            case MethodOption::grad_tol: return grad_tol.has_value();
            case MethodOption::c1: return c1.has_value();
            case MethodOption::c2: return c2.has_value();
            case MethodOption::max_line_evaluations: return max_line_evaluations.has_value();
            case MethodOption::memory: return memory.has_value();
            case MethodOption::beta1: return beta1.has_value();
            case MethodOption::beta2: return beta2.has_value();
            case MethodOption::eps: return eps.has_value();
        }
        return false;
    }

    /// The penalty Ω these options name, for N = n_points training points.
    Regularizer regularizer(std::size_t n_points) const {
        Regularizer r;
        r.penalty = penalty_from_string(penalty);
        r.lambda = lambda;
        r.n = n_points;
        return r;
    }

    /// Throws std::invalid_argument naming the first option whose value is out of its range.
    /// (The method's name and which options it reads are checked against the registry.)
    void validate() const {
        if (lr) check_learning_rate(*lr);
        const Penalty p = penalty_from_string(penalty);
        if (p == Penalty::none) {
            require(lambda == 0, "lambda", "0 without a penalty", lambda);
        } else {  // named as the user chose it: weight_decay = λ
            require(std::isfinite(lambda) && lambda >= 0, penalty, "a finite number >= 0", lambda);
        }
        if (batch_size)
            require(*batch_size >= 1, "batch_size", "an integer >= 1", *batch_size);
        // μ and β below 1, and by a margin: a factor a rounding away from 1 is no use either
        if (momentum)
            require(std::isfinite(*momentum) && *momentum >= 0 && *momentum <= max_factor,
                    "momentum", "a finite number >= 0.0 and <= 0.999999", *momentum);
        if (increase)
            require(std::isfinite(*increase) && *increase > 1, "increase", "a finite number > 1.0",
                    *increase);
        if (decrease)
            require(*decrease > 0 && *decrease <= max_factor, "decrease",
                    "a finite number > 0.0 and <= 0.999999", *decrease);
        if (grad_tol)
            require(std::isfinite(*grad_tol) && *grad_tol >= 0, "grad_tol",
                    "a finite number >= 0", *grad_tol);
        for (const auto& [c, name] : {std::pair{c1, "c1"}, std::pair{c2, "c2"}})
            if (c)
                require(*c > 0 && *c < 1, name, "a number > 0.0 and < 1.0", *c);
        if (max_line_evaluations)
            require(*max_line_evaluations >= 1, "max_line_evaluations", "an integer >= 1",
                    *max_line_evaluations);
        if (memory) require(*memory >= 1, "memory", "an integer >= 1", *memory);
        for (const auto& [b, name] : {std::pair{beta1, "beta1"}, std::pair{beta2, "beta2"}})
            if (b) require(*b >= 0 && *b < 1, name, "a number >= 0.0 and < 1.0", *b);
        if (eps) require(std::isfinite(*eps) && *eps > 0, "eps", "a finite number > 0.0", *eps);
        if (target_error)
            require(std::isfinite(*target_error) && *target_error >= 0, "target_error",
                    "a finite number >= 0", *target_error);
        if (max_seconds)
            require(std::isfinite(*max_seconds) && *max_seconds > 0, "max_seconds",
                    "a finite number > 0", *max_seconds);
        if (patience) require(*patience >= 1, "patience", "an integer >= 1", *patience);
        require(std::isfinite(poll_seconds) && poll_seconds >= 0, "poll_seconds",
                "a finite number >= 0", poll_seconds);
    }
};

}  // namespace deltaprop
