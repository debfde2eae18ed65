// deltaprop/history.hpp — what a training run reports: the recorded course of the run, why it
// ended, what a Monitor sees while it runs, and the error thrown when it diverges.
#pragma once

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace deltaprop {

/// Why a run ended.
enum class StopReason { iterations, target_error, gradient_tolerance, time_limit, patience,
                        monitor, line_search };

inline const char* to_string(StopReason r) {
    switch (r) {
        case StopReason::iterations: return "iterations";
        case StopReason::target_error: return "target_error";
        case StopReason::gradient_tolerance: return "gradient_tolerance";
        case StopReason::time_limit: return "time_limit";
        case StopReason::patience: return "patience";
        case StopReason::monitor: return "callback";
        case StopReason::line_search: return "line_search";
    }
    return "?";
}

/// The recorded course of a run: one row per recorded iteration.
struct History {
    std::vector<std::size_t> iteration;
    std::vector<double> error;             ///< E_in on the training data
    std::vector<double> augmented_error;   ///< E_aug = E_in + Ω(w)
    std::vector<double> validation_error;  ///< NaN without validation data
    std::vector<double> lr;                ///< η in force (the line-search step for those methods)
    std::vector<double> seconds;           ///< since the start
    std::vector<double> evaluations;  ///< passes over the training data so far (points / N)
    /// Evaluations of the objective (E_in, or E_in and its gradient) so far for the full-batch
    /// methods; gradients of a point or a batch for the stochastic ones. Work, in the unit a
    /// method's own steps pay for.
    std::vector<double> function_evaluations;
    /// What the methods reported along the way, "iteration k: ...": line searches that ended
    /// without the Wolfe conditions, restarts, why a run stalled (at most max_notes, then a
    /// count of the rest).
    std::vector<std::string> notes;
    static constexpr std::size_t max_notes = 100;
    StopReason stop_reason = StopReason::iterations;
    std::size_t iterations_done = 0;
    std::size_t best_iteration = 0;        ///< with validation: the iteration restored
    double best_validation_error = std::numeric_limits<double>::quiet_NaN();
};

/// What the loop reports while running.
struct Progress {
    std::size_t iteration = 0, total = 0;
    double error = std::numeric_limits<double>::quiet_NaN();  ///< latest known E_in
    double lr = 0;
    double seconds = 0;
};

/// Hooks into a running fit. poll() is called about every poll_seconds (also to update a
/// progress bar) and may throw to abort: the network then holds the weights of the last
/// completed iteration. record() is called for every recorded row; returning false stops.
class Monitor {
public:
    virtual ~Monitor() = default;
    virtual void poll(const Progress&) {}
    virtual bool record(const History&) { return true; }
};

/// Thrown when E_in or the weights become non-finite; the network has been restored.
class DivergenceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace deltaprop
