// deltaprop/training.hpp — whole training runs in C++: the loop every method shares.
//
// A method (methods/) makes one step: the full-batch ones over an Objective (flat weights in,
// E_in and ∇E_aug out), the stochastic ones over a BatchSource. The loop around them is written
// here once: the iteration budget, the stopping rules (target error, gradient tolerance, time
// budget, validation patience, a Monitor that says stop), the recorded history and its
// schedule, polling the Monitor (Ctrl-C), divergence (the last weights checked finite are
// restored and DivergenceError thrown) and early stopping (the best validated weights are
// restored at the end). Every buffer is allocated before the loop.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "deltaprop/batch_source.hpp"
#include "deltaprop/fit_options.hpp"
#include "deltaprop/gradient.hpp"
#include "deltaprop/history.hpp"
#include "deltaprop/local_objective.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/methods/registry.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/objective.hpp"
#include "deltaprop/regularization.hpp"

namespace deltaprop {

/// A training run of one network: on training data in this process (every method), or on any
/// Objective over the network's flat weights (the full-batch methods: a Python callable, a sum
/// over a cluster's partitions). Checks the options and allocates everything in its
/// constructor.
template <class T>
class Trainer {
public:
    /// On data in this process, with optional validation data for early stopping.
    Trainer(Network<T>& net, const Data<T>& train, const FitOptions& options,
            const Data<T>* validation = nullptr)
        : Trainer(net, options, validation != nullptr) {
        check_data(net, train);
        local_ = std::make_unique<Local>(net, train, options.regularizer(train.n));
        if (validation) {
            check_data(net, *validation);
            local_->validation = *validation;
            Local& local = *local_;
            validation_error_ = [&local, &net] { return local.evaluator.error(net, local.validation); };
        }
        objective_ = &local_->objective;
        make_method(&local_->source);
    }

    /// On `objective`, whose weights are the network's flat weights (the network ends on the
    /// final ones). validation_error, if given, returns E_val at the network's current weights
    /// (for early stopping). The objective carries its own penalty.
    Trainer(Network<T>& net, Objective<T>& objective, const FitOptions& options,
            std::function<double()> validation_error = {})
        : Trainer(net, options, bool(validation_error)) {
        if (objective.n_weights() != nw_)
            throw std::invalid_argument("the objective has " + std::to_string(objective.n_weights()) +
                                        " weights, the network " + std::to_string(nw_));
        const Regularizer& p = objective.penalty();
        if (p.penalty != penalty_from_string(options.penalty) || p.lambda != options.lambda)
            throw std::invalid_argument("the options' penalty (" + options.penalty + ", lambda " +
                                        std::to_string(options.lambda) +
                                        ") is not the objective's: give it to the objective");
        validation_error_ = std::move(validation_error);
        objective_ = &objective;
        make_method(nullptr);
    }

    History run(Monitor& monitor) {
        start_ = Clock::now();
        next_poll_ = opt_.poll_seconds;
        if (method_.full_batch) {
            try {
                run_full_batch(*method_.full_batch, monitor);
            } catch (...) {
                // an evaluation that threw mid-step (a cluster's task that kept failing, a
                // Python error): end on the last finished step's weights, not a trial point
                net_.assign(w_safe_.data());
                throw;
            }
        } else
            run_stochastic(*method_.stochastic, *local_, monitor);
        if (has_validation_) {  // early stopping: end on the best validated weights
            net_.assign(w_best_.data());
        }
        return std::move(history_);
    }

    /// The iterations finished so far (after a throw: those whose weights the network holds).
    std::size_t iterations_done() const { return iteration_; }

private:
    using Clock = std::chrono::steady_clock;

    /// What a run on data in this process owns: the evaluator (also for validation), the
    /// objective over the training data and the points the stochastic methods take.
    struct Local {
        Local(Network<T>& net, const Data<T>& train_data, const Regularizer& penalty)
            : train(train_data), evaluator(net.layout()),
              objective(net, evaluator, train, penalty), source(net, train, evaluator, penalty) {}
        Data<T> train, validation;
        Evaluator<T> evaluator;
        LocalObjective<T> objective;
        BatchSource<T> source;
    };

    /// What both public constructors share: the options and the weights' safe copies.
    Trainer(Network<T>& net, const FitOptions& options, bool has_validation)
        : net_(net), opt_(checked(options, has_validation)), nw_(net.n_weights()),
          has_validation_(has_validation), grad_tol_(options.grad_tol.value_or(0)),
          target_(options.target_error.value_or(-std::numeric_limits<double>::infinity())),
          max_seconds_(options.max_seconds.value_or(std::numeric_limits<double>::infinity())),
          patience_(options.patience.value_or(0)) {
        check_finite_weights(net);  // a bad start is the caller's, not a divergence (no "smaller lr")
        allocate(w_safe_, nw_, T(0), "a copy of the weights");
        w_safe_ = net.flat();
        if (has_validation) {
            allocate(w_best_, nw_, T(0), "the best weights");
            w_best_ = net.flat();
        }
    }

    /// The method, on the local points (source) or, without them, full-batch only.
    void make_method(BatchSource<T>* source) {
        const MethodRegistration<T>& m = find_method<T>(opt_.method);
        if (!source && !m.full_batch)
            throw std::invalid_argument(opt_.method + " trains on points, which only local data "
                                        "has; on an objective use " +
                                        full_batch_method_names(" or "));
        method_ = m.make(opt_, nw_, source);
        if (method_.full_batch) allocate(g_, nw_, T(0), "the gradient");
    }

    static const FitOptions& checked(const FitOptions& o, bool has_validation) {
        o.validate();
        check_options_apply(o);
        if (o.patience && !has_validation)
            throw std::invalid_argument("patience needs validation data");
        return o;
    }


    // ----- the two loops ------------------------------------------------------------------------
    void run_full_batch(FullBatchMethod<T>& method, Monitor& monitor) {
        T* w = net_.data();
        // With no iteration to make, E_in alone (the gradient is read only by steps)
        Objective<T>& objective = *objective_;
        Evaluation at = opt_.iterations > 0 ? objective.value_and_gradient(w, g_.data())
                                            : objective.value(w);
        method.start(g_);
        if (!begin(monitor, at)) return;
        while (iteration_ < opt_.iterations) {
            if (norm(g_) <= grad_tol_) {
                history_.stop_reason = StopReason::gradient_tolerance;
                finish(monitor, at, true);
                return;
            }
            const StepResult r = method.step(objective, w, g_, at, iteration_ + 1 < opt_.iterations);
            note(iteration_ + 1, method.take_note());
            if (r == StepResult::stalled) {
                history_.stop_reason = StopReason::line_search;
                finish(monitor, at, true);
                return;
            }
            ++iteration_;
            check_finite(at.error);
            if (!after_iteration(monitor, at, true)) return;
        }
    }

    void run_stochastic(StochasticMethod<T>& method, Local& local, Monitor& monitor) {
        T* w = net_.data();
        if (!begin(monitor, objective_->value(w))) return;
        const std::size_t every = method.check_every();
        while (iteration_ < opt_.iterations) {
            // up to the next check: a multiple of `every`, a recorded iteration or the end
            const std::size_t until = std::max(
                iteration_ + 1,
                std::min({(iteration_ / every + 1) * every, next_record_, opt_.iterations}));
            const Updates u = method.run(local.source, w, until - iteration_);
            iteration_ += u.done;
            if (!u.finite) check_finite(std::numeric_limits<double>::quiet_NaN());
            // E_in is unknown between records: measured only when a row is due
            if (!after_iteration(monitor, Evaluation{}, false)) return;
        }
    }

    // ----- what every iteration shares -------------------------------------------------------
    double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

    double lr() const {
        return method_.full_batch ? method_.full_batch->lr() : method_.stochastic->lr();
    }

    /// The checks at the starting weights (E known); false to stop.
    bool begin(Monitor& monitor, const Evaluation& at) {
        check_finite(at.error);
        if (due_record() && !record(monitor, at)) return false;
        if (at.error <= target_) {
            history_.stop_reason = StopReason::target_error;
            return finish(monitor, at, true);
        }
        return true;
    }

    /// Throws DivergenceError (after restoring the last safe weights) unless e and the
    /// weights are finite; otherwise the current weights become the safe ones.
    void check_finite(double e) {
        if (std::isfinite(e) && net_.finite()) {
            w_safe_ = net_.flat();
            return;
        }
        net_.assign(w_safe_.data());
        throw DivergenceError("training diverged at iteration " + std::to_string(iteration_) +
                              " (E_in or the weights became NaN or infinite); the weights of "
                              "the last finite check were restored. Try a smaller lr.");
    }

    /// Poll the monitor if poll_seconds have passed; true if the time budget is spent.
    bool poll(Monitor& monitor, double e) {
        const double now = seconds();
        if (now >= next_poll_) {
            next_poll_ = now + opt_.poll_seconds;
            Progress p;
            p.iteration = iteration_;
            p.total = opt_.iterations;
            p.error = e;
            p.lr = lr();
            p.seconds = now;
            monitor.poll(p);
        }
        return now >= max_seconds_;
    }

    bool due_record() const { return iteration_ >= next_record_; }

    /// The first iteration after `it` to record (see FitOptions::record_every), at most the last.
    std::size_t next_record_after(std::size_t it) {
        std::size_t next;
        if (opt_.record_every > 0) {
            next = (it / opt_.record_every + 1) * opt_.record_every;
        } else {
            for (;; ++log_index_) {
                next = std::size_t(std::llround(std::pow(10.0, double(log_index_) / 20.0)));
                if (next > it) break;
            }
        }
        return std::min(next, opt_.iterations);
    }

    /// Record a row for the current weights, where the objective is `at`; false to stop.
    bool record(Monitor& monitor, const Evaluation& at) {
        next_record_ = iteration_ >= opt_.iterations ? std::size_t(-1) : next_record_after(iteration_);
        double ev = std::numeric_limits<double>::quiet_NaN();
        bool stop = false;
        if (has_validation_) {
            ev = validation_error_();
            if (std::isfinite(ev) && (std::isnan(best_val_) || ev < best_val_)) {  // a new best
                best_val_ = ev;
                w_best_ = net_.flat();
                history_.best_iteration = iteration_;
                history_.best_validation_error = ev;
                since_best_ = 0;
            } else if (patience_ > 0 && ++since_best_ >= patience_) {
                history_.stop_reason = StopReason::patience;
                stop = true;
            }
        }
        history_.iteration.push_back(iteration_);
        history_.error.push_back(at.error);
        history_.augmented_error.push_back(at.augmented);
        history_.validation_error.push_back(ev);
        history_.lr.push_back(lr());
        history_.seconds.push_back(seconds());
        history_.evaluations.push_back(passes());
        history_.function_evaluations.push_back(
            double(method_.full_batch ? objective_->evaluations() : local_->source.gradients()));
        history_.iterations_done = iteration_;
        if (!monitor.record(history_)) {
            history_.stop_reason = StopReason::monitor;
            stop = true;
        }
        return !stop;
    }

    /// Keeps a method's report on an iteration in the history (up to History::max_notes).
    void note(std::size_t iteration, std::string text) {
        if (text.empty()) return;
        std::vector<std::string>& notes = history_.notes;
        if (notes.size() < History::max_notes) {
            notes.push_back("iteration " + std::to_string(iteration) + ": " + std::move(text));
            return;
        }
        ++notes_left_out_;
        const std::string more = "(and " + std::to_string(notes_left_out_) + " more)";
        if (notes.size() == History::max_notes) notes.push_back(more);
        else notes.back() = more;
    }

    /// Passes over the training data so far: full evaluations, plus the points the stochastic
    /// methods propagated, per N.
    double passes() const {
        if (!local_) return double(objective_->evaluations());
        const std::size_t points = objective_->evaluations() * local_->train.n + local_->source.points();
        return double(points) / double(local_->train.n);
    }

    /// The checks after an iteration, whose objective `at` is known for the full-batch methods
    /// (e_known) and measured here for the stochastic ones when needed. Returns false to stop.
    bool after_iteration(Monitor& monitor, Evaluation at, bool e_known) {
        // An unknown E_in (sgd, minibatch) is reported as NaN.
        if (poll(monitor, e_known ? at.error : std::numeric_limits<double>::quiet_NaN())) {
            history_.stop_reason = StopReason::time_limit;
            return finish(monitor, at, e_known);
        }
        if (due_record()) {
            if (!e_known) at = objective_->value(net_.data());
            check_finite(at.error);
            if (!record(monitor, at)) return false;
            e_known = true;
        }
        if (e_known && at.error <= target_) {
            history_.stop_reason = StopReason::target_error;
            return finish(monitor, at, e_known);
        }
        return iteration_ < opt_.iterations;
    }

    /// Record the final row (if not just recorded) and stop.
    bool finish(Monitor& monitor, Evaluation at, bool e_known) {
        if (history_.iteration.empty() || history_.iteration.back() != iteration_) {
            if (!e_known) at = objective_->value(net_.data());
            check_finite(at.error);
            record(monitor, at);
        }
        return false;
    }

    Network<T>& net_;
    FitOptions opt_;
    std::size_t nw_;
    bool has_validation_;
    std::unique_ptr<Local> local_;              ///< with data in this process
    Objective<T>* objective_ = nullptr;         ///< local_'s, or the caller's
    std::function<double()> validation_error_;  ///< E_val at the current weights
    MadeMethod<T> method_;
    double grad_tol_, target_, max_seconds_;
    std::size_t patience_;
    std::vector<T> g_, w_safe_, w_best_;
    History history_;
    Clock::time_point start_;
    double next_poll_ = 0;
    std::size_t iteration_ = 0, next_record_ = 0, log_index_ = 0, since_best_ = 0;
    std::size_t notes_left_out_ = 0;
    double best_val_ = std::numeric_limits<double>::quiet_NaN();
};

/// Train net on the data; see FitOptions. The network ends on the final weights (with
/// validation data: on the weights of the lowest validation error).
template <class T>
History fit(Network<T>& net, const Data<T>& train, const FitOptions& options,
            const Data<T>* validation = nullptr, Monitor* monitor = nullptr) {
    Monitor none;
    Trainer<T> trainer(net, train, options, validation);
    return trainer.run(monitor ? *monitor : none);
}

}  // namespace deltaprop
