// deltaprop/training.hpp — whole training runs in C++: the gradient-descent family of e-Chapter 7.
//
//   gd                  W ← W − η ∇E_aug(W), all N points per step (optionally with momentum)
//   sgd                 one point per update, a fresh seeded random order each epoch
//   minibatch           batch_size points per update, same ordering as sgd
//   variable_lr         try W − η g: if E_aug fell accept and η ← αη, else reject and η ← βη
//   steepest            W ← W + η* v, v = −g, η* from a line search (line_search.hpp)
//   conjugate_gradient  v = −g + μ v_prev (Polak–Ribière, μ ≥ 0), same line search, restarted
//                       on a non-descent direction and every `restart_every` steps
//
// An iteration is one step of the method: one weight update for gd, sgd and minibatch, one
// trial (accepted or not) for variable_lr, one line-search step for steepest and
// conjugate_gradient. Every buffer is allocated before the loop. The loop stops on the
// iteration budget, a target error, a small gradient, a time budget, a validation patience, or
// when a Monitor says so; if E or the weights stop being finite it restores the last weights
// checked finite and throws DivergenceError.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "deltaprop/gradient.hpp"
#include "deltaprop/line_search.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/propagation.hpp"
#include "deltaprop/random.hpp"
#include "deltaprop/regularization.hpp"
#include "deltaprop/sgd.hpp"

namespace deltaprop {

enum class Method { gd, sgd, minibatch, variable_lr, steepest, conjugate_gradient };

inline Method method_from_string(const std::string& s) {
    if (s == "gd") return Method::gd;
    if (s == "sgd") return Method::sgd;
    if (s == "minibatch") return Method::minibatch;
    if (s == "variable_lr") return Method::variable_lr;
    if (s == "steepest") return Method::steepest;
    if (s == "conjugate_gradient") return Method::conjugate_gradient;
    throw std::invalid_argument("method must be one of gd, sgd, minibatch, variable_lr, steepest, "
                                "conjugate_gradient; got \"" + s + "\"");
}

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

struct FitOptions {
    Method method = Method::gd;
    double lr = 0.1;                 ///< η (the first trial step for the line-search methods)
    std::size_t iterations = 1000;   ///< budget of iterations (see above)
    std::size_t batch_size = 32;     ///< minibatch only
    double momentum = 0;             ///< gd, sgd, minibatch: v ← μv − ηg, W ← W + v
    Regularizer regularizer;         ///< weight decay or elimination (n is set by fit)
    /// variable_lr: α on success, β on failure. The book (e-Chapter 7) suggests α ≈ 1.05–1.1
    /// and β ≈ 0.5–0.8; we take α = 1.1 and β = 0.5, the values its own example uses.
    double increase = 1.1, decrease = 0.5;
    std::size_t restart_every = 0;   ///< conjugate_gradient: 0 means every n_weights steps
    std::size_t line_refinements = 3;  // interpolation steps after bracketing ("a few")
    /// Record E_in (and the validation error) at every record_every-th iteration, or with
    /// record_every = 0 at about 20 iterations per decade: round(10^(j/20)), j = 0, 1, ...
    /// Iteration 0 (the start) and the last iteration are always recorded. The schedule is
    /// worked out as the run goes, so a long run costs no memory for it.
    std::size_t record_every = 1;
    double target_error = -1;        ///< stop when E_in ≤ this (negative: never)
    double gradient_tolerance = 0;   ///< stop when ‖∇E_aug‖ ≤ this (batch methods)
    double max_seconds = std::numeric_limits<double>::infinity();
    std::size_t patience = 0;        ///< stop after this many validations without a new best
    std::uint64_t seed = 0;          ///< sgd / minibatch orders
    double poll_seconds = 0.05;      ///< how often Monitor::poll is called
};

/// The recorded course of a run: one row per recorded iteration.
struct History {
    std::vector<std::size_t> iteration;
    std::vector<double> error;             ///< E_in on the training data
    std::vector<double> augmented_error;   ///< E_aug = E_in + Ω(w)
    std::vector<double> validation_error;  ///< NaN without validation data
    std::vector<double> lr;                ///< η in force (the line-search step for those methods)
    std::vector<double> seconds;           ///< since the start
    std::vector<double> evaluations;  ///< passes over the training data so far (points / N)
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

/// A training run of one network on one data set. Allocates everything in its constructor.
template <class T>
class Trainer {
public:
    Trainer(Network<T>& net, const Data<T>& train, const FitOptions& options,
            const Data<T>* validation = nullptr)
        : net_(net), train_(train), opt_(options), eval_(net.layout()),
          nw_(net.n_weights()) {
        check_finite_weights(net);  // a bad start is the caller's, not a divergence (no "smaller lr")
        // Only the buffers the method uses, so a large network needs few copies of its weights.
        const Method m = opt_.method;
        const bool line = m == Method::steepest || m == Method::conjugate_gradient;
        allocate(g_, nw_, T(0), "the gradient");
        allocate(w_safe_, nw_, T(0), "a copy of the weights");
        w_safe_ = net.flat();
        if (line) allocate(g_prev_, nw_, T(0), "the previous gradient");
        if (line || options.momentum > 0) allocate(v_, nw_, T(0), "the step direction");
        if (line || m == Method::variable_lr) allocate(w_trial_, nw_, T(0), "trial weights");
        if (m == Method::variable_lr) allocate(g_trial_, nw_, T(0), "the trial gradient");
        check_data(net.layout(), train);
        if (validation) {
            check_data(net.layout(), *validation);
            validation_ = *validation;
            has_validation_ = true;
            allocate(w_best_, nw_, T(0), "the best weights");
            w_best_ = net.flat();
        }
        if (!(opt_.lr > 0) || !std::isfinite(opt_.lr))
            throw std::invalid_argument("lr must be a positive finite number");
        if (opt_.momentum < 0 || opt_.momentum >= 1)
            throw std::invalid_argument("momentum must be in [0, 1)");
        if (opt_.method == Method::minibatch && opt_.batch_size == 0)
            throw std::invalid_argument("batch_size must be at least 1");
        opt_.regularizer.n = train.n;
        if (opt_.method == Method::sgd) ws1_ = Workspace<T>(net.layout(), 1);
        if (opt_.method == Method::minibatch) {
            const std::size_t b = std::min(opt_.batch_size, train.n);
            yb_.resize(b * net.layout().n_outputs());
            if (b <= eval_.block_rows)  // one block: run here, without the evaluator's passes
                ws_batch_ = Workspace<T>(net.layout(), b);
            else  // larger batches go through the evaluator, whose workspace is fixed
                xb_.resize(b * net.layout().n_inputs());
        }
    }

    History run(Monitor& monitor) {
        start_ = Clock::now();
        next_poll_ = opt_.poll_seconds;
        eta_ = opt_.lr;
        switch (opt_.method) {
            case Method::gd: run_gd(monitor); break;
            case Method::sgd:
            case Method::minibatch: run_stochastic(monitor); break;
            case Method::variable_lr: run_variable_lr(monitor); break;
            case Method::steepest:
            case Method::conjugate_gradient: run_line_search(monitor); break;
        }
        if (has_validation_) {  // early stopping: end on the best validated weights
            net_.assign(w_best_.data());
        }
        return std::move(history_);
    }

private:
    using Clock = std::chrono::steady_clock;

    double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

    // ----- bookkeeping shared by all methods -------------------------------------------------
    double augmented(double e_in) const { return e_in + opt_.regularizer.value(net_.data(), nw_); }

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
            p.lr = eta_;
            p.seconds = now;
            monitor.poll(p);
        }
        return now >= opt_.max_seconds;
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

    /// Record a row for the current weights with training error e_in; false to stop.
    bool record(Monitor& monitor, double e_in) {
        next_record_ = iteration_ >= opt_.iterations ? std::size_t(-1) : next_record_after(iteration_);
        double ev = std::numeric_limits<double>::quiet_NaN();
        bool stop = false;
        if (has_validation_) {
            ev = eval_.error(net_, validation_);
            if (std::isfinite(ev) && (std::isnan(best_val_) || ev < best_val_)) {  // a new best
                best_val_ = ev;
                w_best_ = net_.flat();
                history_.best_iteration = iteration_;
                history_.best_validation_error = ev;
                since_best_ = 0;
            } else if (opt_.patience > 0 && ++since_best_ >= opt_.patience) {
                history_.stop_reason = StopReason::patience;
                stop = true;
            }
        }
        history_.iteration.push_back(iteration_);
        history_.error.push_back(e_in);
        history_.augmented_error.push_back(augmented(e_in));
        history_.validation_error.push_back(ev);
        history_.lr.push_back(eta_);
        history_.seconds.push_back(seconds());
        history_.evaluations.push_back(double(points_) / double(train_.n));
        history_.iterations_done = iteration_;
        if (!monitor.record(history_)) {
            history_.stop_reason = StopReason::monitor;
            stop = true;
        }
        return !stop;
    }

    /// The checks after an iteration whose weights have E_in = e_in (known for batch methods).
    /// Returns false to stop.
    bool after_iteration(Monitor& monitor, double e_in, bool e_known) {
        // An unknown E_in (sgd, minibatch) is reported as NaN, not as the placeholder e_in.
        if (poll(monitor, e_known ? e_in : std::numeric_limits<double>::quiet_NaN())) {
            history_.stop_reason = StopReason::time_limit;
            return finish(monitor, e_in, e_known);
        }
        if (due_record()) {
            if (!e_known) e_in = full_error();
            check_finite(e_in);
            if (!record(monitor, e_in)) return false;
            e_known = true;
        }
        if (e_known && e_in <= opt_.target_error) {
            history_.stop_reason = StopReason::target_error;
            return finish(monitor, e_in, e_known);
        }
        return iteration_ < opt_.iterations;
    }

    /// Record the final row (if not just recorded) and stop.
    bool finish(Monitor& monitor, double e_in, bool e_known) {
        if (history_.iteration.empty() || history_.iteration.back() != iteration_) {
            if (!e_known) e_in = full_error();
            check_finite(e_in);
            record(monitor, e_in);
        }
        return false;
    }

    double full_error() {
        points_ += train_.n;
        return eval_.error(net_, train_);
    }

    double gradient(T* g) {  // E_in and G at the current weights; g += ∇Ω
        points_ += train_.n;
        const double e = eval_.error_and_gradient(net_, train_, g);
        opt_.regularizer.add_gradient(net_.data(), nw_, g);
        return e;
    }

    static double norm(const std::vector<T>& x) {
        double s = 0;
        for (T v : x) s += double(v) * double(v);
        return std::sqrt(s);
    }

    /// W ← W − η(s·g), or with momentum v ← μv − η(s·g), W ← W + v: s (1/B for a mini-batch's
    /// sum) is applied in the same pass, with the bits of scaling g first.
    void update(const T* g, T s = T(1)) {
        T* w = net_.data();
        const T eta = T(eta_);
        if (opt_.momentum > 0) {
            const T mu = T(opt_.momentum);
            for (std::size_t i = 0; i < nw_; ++i) {
                v_[i] = mu * v_[i] - eta * (s * g[i]);
                w[i] += v_[i];
            }
        } else {
            descend(nw_, eta, s, g, w);
        }
    }

    // ----- batch gradient descent -------------------------------------------------------------
    void run_gd(Monitor& monitor) {
        for (;;) {
            // After the last update only E_in is needed (unless the gradient's size is a stop
            // rule): a forward pass, not forward and backward.
            const bool last = iteration_ >= opt_.iterations && !(opt_.gradient_tolerance > 0);
            const double e = last ? full_error() : gradient(g_.data());  // E_in(w_t), ∇E_aug(w_t)
            check_finite(e);
            if (due_record() && !record(monitor, e)) return;
            if (e <= opt_.target_error) {
                history_.stop_reason = StopReason::target_error;
                finish(monitor, e, true);
                return;
            }
            if (last) return;
            if (norm(g_) <= opt_.gradient_tolerance) {
                history_.stop_reason = StopReason::gradient_tolerance;
                finish(monitor, e, true);
                return;
            }
            if (iteration_ >= opt_.iterations) return;
            update(g_.data());
            ++iteration_;
            if (poll(monitor, e)) {
                history_.stop_reason = StopReason::time_limit;
                finish(monitor, 0, false);
                return;
            }
        }
    }

    // ----- stochastic and mini-batch gradient descent -------------------------------------------
    void run_stochastic(Monitor& monitor) {
        Random rng(opt_.seed);
        std::vector<std::uint64_t> order;
        const std::size_t n = train_.n, d0 = net_.layout().n_inputs(), dL = net_.layout().n_outputs();
        const bool minibatch = opt_.method == Method::minibatch;
        const std::size_t per_update = minibatch ? std::min(opt_.batch_size, n) : 1;
        std::size_t position = n;  // within the current epoch's order
        {
            const double e0 = full_error();
            check_finite(e0);
            if (due_record() && !record(monitor, e0)) return;
        }
        while (iteration_ < opt_.iterations) {
            if (position + per_update > n) {  // a new epoch (a short last batch is dropped)
                epoch_order(rng, order, n);
                position = 0;
            }
            double e_point;
            if (!minibatch) {
                const std::uint64_t k = order[position];
                e_point = sgd_step(train_.x + k * d0, train_.y + k * dL);
                ++points_;
            } else {
                e_point = minibatch_step(order.data() + position, per_update);
                points_ += per_update;
            }
            position += per_update;
            ++iteration_;
            if (!std::isfinite(e_point)) check_finite(e_point);
            // Reading the clock costs ~20 ns: for single-point updates only every 64 of them.
            const bool check_now = minibatch || (iteration_ & 63) == 0 || due_record() ||
                                   iteration_ >= opt_.iterations;
            if (check_now && !after_iteration(monitor, 0, false)) return;
        }
    }

    /// One mini-batch update on the B points rows[0..B): W ← W − η(∇E_batch + ∇Ω), with
    /// momentum if asked; returns E_batch before the update. A batch of at most one block runs
    /// on this thread as the evaluator would run it, without its partial sums and with the
    /// points' inputs gathered straight into the columns of X^(0); a larger one goes through
    /// the evaluator, so the workspace stays one block whatever the batch size.
    double minibatch_step(const std::uint64_t* rows, std::size_t B) {
        const std::size_t d0 = net_.layout().n_inputs(), dL = net_.layout().n_outputs();
        for (std::size_t r = 0; r < B; ++r)
            std::copy(train_.y + rows[r] * dL, train_.y + (rows[r] + 1) * dL, yb_.data() + r * dL);
        double e;
        if (B <= ws_batch_.capacity()) {
            gather_columns(net_.layout(), train_.x, rows, B, ws_batch_);
            propagate(net_, B, ws_batch_);
            e = backward(net_, yb_.data(), B, ws_batch_);
            std::fill(g_.begin(), g_.end(), T(0));
            accumulate_gradient(net_, B, ws_batch_, g_.data());
            e /= double(B);
        } else {  // more than a block: the evaluator's blocks and fixed workspace (it scales g)
            for (std::size_t r = 0; r < B; ++r)
                std::copy(train_.x + rows[r] * d0, train_.x + (rows[r] + 1) * d0, xb_.data() + r * d0);
            e = eval_.error_and_gradient(net_, Data<T>{xb_.data(), yb_.data(), B}, g_.data());
            opt_.regularizer.add_gradient(net_.data(), nw_, g_.data());
            update(g_.data());
            return e;
        }
        const T inv_b = T(1) / T(B);  // the mean over the batch
        if (opt_.regularizer.active()) {  // ∇Ω adds to the mean
            for (std::size_t i = 0; i < nw_; ++i) g_[i] *= inv_b;
            opt_.regularizer.add_gradient(net_.data(), nw_, g_.data());
            update(g_.data());
        } else {
            update(g_.data(), inv_b);
        }
        return e;
    }

    /// One SGD update on a point: W ← W − η(∇e_n + ∇Ω), with momentum if asked.
    double sgd_step(const T* x, const T* y) {
        if (opt_.momentum == 0 && !opt_.regularizer.active())
            return sgd_update(net_, x, y, T(eta_), ws1_);  // the lean path: no gradient buffer
        forward(net_, x, 1, ws1_);
        const double e = backward(net_, y, 1, ws1_);
        std::fill(g_.begin(), g_.end(), T(0));
        accumulate_gradient(net_, 1, ws1_, g_.data());
        opt_.regularizer.add_gradient(net_.data(), nw_, g_.data());
        update(g_.data());
        return e;
    }

    // ----- variable learning rate heuristic -----------------------------------------------------
    void run_variable_lr(Monitor& monitor) {
        double e = gradient(g_.data());
        check_finite(e);
        if (due_record() && !record(monitor, e)) return;
        double e_aug = augmented(e);
        while (iteration_ < opt_.iterations) {
            if (norm(g_) <= opt_.gradient_tolerance) {
                history_.stop_reason = StopReason::gradient_tolerance;
                finish(monitor, e, true);
                return;
            }
            w_trial_ = net_.flat();  // keep w; try w − ηg in place
            const T eta = T(eta_);
            for (std::size_t i = 0; i < nw_; ++i) net_.data()[i] -= eta * g_[i];
            const double e_new = gradient(g_trial_.data());
            const double e_aug_new = augmented(e_new);
            if (std::isfinite(e_aug_new) && e_aug_new < e_aug) {  // accept, speed up
                e = e_new;
                e_aug = e_aug_new;
                g_.swap(g_trial_);
                eta_ *= opt_.increase;
            } else {  // reject, slow down
                net_.assign(w_trial_.data());  // copy: the buffer must stay put
                eta_ *= opt_.decrease;
            }
            ++iteration_;
            if (!after_iteration(monitor, e, true)) return;
        }
    }

    // ----- steepest descent and conjugate gradients with a line search ----------------------------
    void run_line_search(Monitor& monitor) {
        const bool cg = opt_.method == Method::conjugate_gradient;
        const std::size_t restart = opt_.restart_every ? opt_.restart_every : nw_;
        double e = gradient(g_.data());
        check_finite(e);
        if (due_record() && !record(monitor, e)) return;
        for (std::size_t i = 0; i < nw_; ++i) v_[i] = -g_[i];
        std::size_t since_restart = 0;
        double step_guess = opt_.lr;
        while (iteration_ < opt_.iterations) {
            if (norm(g_) <= opt_.gradient_tolerance) {
                history_.stop_reason = StopReason::gradient_tolerance;
                finish(monitor, e, true);
                return;
            }
            // Scale the first trial so that it moves the weights by about step_guess·‖g‖/‖v‖.
            const double vnorm = norm(v_), gnorm = norm(g_);
            const double eta0 = vnorm > 0 ? step_guess * gnorm / vnorm : step_guess;
            w_trial_ = net_.flat();
            auto along = [&](double eta) {  // E_aug(w + ηv)
                T* w = net_.data();
                for (std::size_t i = 0; i < nw_; ++i) w[i] = w_trial_[i] + T(eta) * v_[i];
                points_ += train_.n;
                return augmented(eval_.error(net_, train_));
            };
            const LineSearchResult ls =
                line_search(along, augmented(e), eta0, opt_.line_refinements);
            if (ls.eta == 0) {  // no decrease along v: at a minimum to working precision
                net_.assign(w_trial_.data());
                history_.stop_reason = StopReason::line_search;
                finish(monitor, e, true);
                return;
            }
            for (std::size_t i = 0; i < nw_; ++i) net_.data()[i] = w_trial_[i] + T(ls.eta) * v_[i];
            eta_ = ls.eta;
            step_guess = ls.eta * vnorm / (gnorm > 0 ? gnorm : 1);
            g_prev_.swap(g_);
            e = gradient(g_.data());
            check_finite(e);
            ++iteration_;
            ++since_restart;
            // the next direction
            double beta = 0;
            if (cg && since_restart < restart) {
                double num = 0, den = 0;
                for (std::size_t i = 0; i < nw_; ++i) {
                    num += double(g_[i]) * (double(g_[i]) - double(g_prev_[i]));
                    den += double(g_prev_[i]) * double(g_prev_[i]);
                }
                beta = den > 0 ? std::max(0.0, num / den) : 0.0;  // Polak–Ribière, μ ≥ 0
            }
            double slope = 0;
            for (std::size_t i = 0; i < nw_; ++i) {
                v_[i] = -g_[i] + T(beta) * v_[i];
                slope += double(v_[i]) * double(g_[i]);
            }
            if (beta == 0 || !(slope < 0)) {  // restart: steepest descent
                for (std::size_t i = 0; i < nw_; ++i) v_[i] = -g_[i];
                since_restart = 0;
            }
            if (!after_iteration(monitor, e, true)) return;
        }
    }

    Network<T>& net_;
    Data<T> train_, validation_;
    bool has_validation_ = false;
    FitOptions opt_;
    Evaluator<T> eval_;
    std::size_t nw_;
    std::vector<T> g_, g_prev_, v_, w_trial_, g_trial_, w_safe_, w_best_;
    std::vector<T> xb_, yb_;
    Workspace<T> ws1_, ws_batch_;
    History history_;
    Clock::time_point start_;
    double next_poll_ = 0, eta_ = 0;
    std::size_t iteration_ = 0, next_record_ = 0, log_index_ = 0, points_ = 0, since_best_ = 0;
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
