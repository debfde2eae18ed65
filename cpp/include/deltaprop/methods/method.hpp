// deltaprop/methods/method.hpp — the two kinds of training method. A method is one step of an
// optimizer and its own state (η, directions, orders); everything the methods share —
// iterations, stopping rules, history, monitor, divergence, early stopping — is the loop's
// (training.hpp). A new method is one header in this folder and one line in registry.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "deltaprop/batch_source.hpp"
#include "deltaprop/objective.hpp"

namespace deltaprop {

enum class StepResult {
    moved,    ///< the weights took a step
    stalled,  ///< no decrease found: the weights are unchanged (a minimum to working precision)
};

/// A method over an Objective (gd, variable_lr, steepest, conjugate_gradient).
template <class T>
class FullBatchMethod {
public:
    virtual ~FullBatchMethod() = default;
    /// Before the first step: g holds ∇E_aug at the starting weights.
    virtual void start(const std::vector<T>& g) { (void)g; }
    /// One iteration from weights w (n_weights entries), where `at` and g hold E and ∇E_aug:
    /// leaves w, `at` and g at the new weights. Without gradient_needed the loop will not read
    /// g again (a method may then compute E alone).
    virtual StepResult step(Objective<T>& f, T* w, std::vector<T>& g, Evaluation& at,
                            bool gradient_needed) = 0;
    virtual double lr() const = 0;  ///< η in force, for the history
    /// What the last step has to report, once (a line search that ended without the Wolfe
    /// conditions, why a step stalled); empty if nothing. The loop keeps it in History::notes.
    std::string take_note() {
        std::string out;
        out.swap(note_);
        return out;
    }

protected:
    std::string note_;
};

/// What a run of stochastic updates did.
struct Updates {
    std::size_t done = 0;  ///< updates made
    bool finite = true;    ///< false: the last one met a non-finite error, and the run stopped
};

/// A method over a BatchSource (sgd, minibatch): cheap updates, E_in unknown between records.
template <class T>
class StochasticMethod {
public:
    virtual ~StochasticMethod() = default;
    /// `count` updates of the network's weights w, unless an error is not finite first.
    virtual Updates run(BatchSource<T>& source, T* w, std::size_t count) = 0;
    /// The loop reads the clock and checks its rules after every this many updates (so that a
    /// single-point update does not pay for a clock read each).
    virtual std::size_t check_every() const { return 1; }
    virtual double lr() const = 0;
};

}  // namespace deltaprop
