// deltaprop/methods/line_search_descent.hpp — steepest descent and conjugate gradients, each
// step a strong-Wolfe line search (line_step.hpp, c2 = 0.1 by default) along a direction v:
//   steepest            v = −g
//   conjugate_gradient  v = −g + β v_prev with Polak–Ribière+, β = max(0, gᵀ(g − g_prev) / ‖g_prev‖²),
//                       restarted as steepest descent when v is not a descent direction, when
//                       successive gradients are far from orthogonal (Powell's test,
//                       |gᵀg_prev| ≥ 0.2‖g‖²) and every `restart_every` steps.
// Changed in issue 19 (results differ from earlier versions): the line search was e-Chapter 7's
// bracketing and quadratic interpolation on E alone, without the Wolfe conditions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "deltaprop/fit_options.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/methods/line_step.hpp"
#include "deltaprop/methods/method.hpp"

namespace deltaprop {

template <class T>
class LineSearchDescent : public FullBatchMethod<T> {
public:
    static constexpr double default_c2 = 0.1;
    static constexpr double powell_restart = 0.2;

    LineSearchDescent(const FitOptions& o, std::size_t n_weights, bool conjugate)
        : conjugate_(conjugate),
          restart_(o.restart_every.value_or(0) ? *o.restart_every : n_weights),
          line_(n_weights, wolfe_conditions(o, default_c2)),
          first_step_(o.lr.value_or(FitOptions::default_lr)) {
        allocate(g_prev_, n_weights, T(0), "the previous gradient");
        allocate(v_, n_weights, T(0), "the step direction");
    }

    void start(const std::vector<T>& g) override {
        for (std::size_t i = 0; i < v_.size(); ++i) v_[i] = -g[i];
    }

    StepResult step(Objective<T>& f, T* w, std::vector<T>& g, Evaluation& at, bool) override {
        // The first trial: at the first step a move of length lr (as scipy's 1/‖g‖ for lr = 1):
        // a step of lr·‖g‖, as before issue 19, could jump past the first minimum along −g onto
        // a plateau of saturated units, where the Wolfe conditions hold and the run crawls.
        // Then the step whose first-order change of E is the last step's (Nocedal & Wright,
        // eq. 3.60), α_{k-1} φ'_{k-1}(0) / φ'_k(0).
        const double slope = LineStep<T>::dot(g, v_), vnorm = norm(v_);
        double alpha0 = last_slope_ < 0 && slope < 0 ? eta_ * last_slope_ / slope
                        : vnorm > 0                  ? first_step_ / vnorm
                                                     : first_step_;
        std::copy(g.begin(), g.end(), g_prev_.begin());
        LineSearchResult r = line_.search(f, w, g, at, v_, alpha0);
        if (r.step.alpha == 0 && since_restart_ > 0) {  // a conjugate direction failed: try −g
            this->note_ = std::string("the line search along the conjugate direction failed (") +
                          to_string(r.status) + "); restarted along -g. ";
            start(g);
            since_restart_ = 0;
            const double gnorm = norm(g);
            alpha0 = eta_ > 0 ? eta_ : gnorm > 0 ? first_step_ / gnorm : first_step_;
            r = line_.search(f, w, g, at, v_, alpha0);
        }
        if (step_result(r, this->note_) == StepResult::stalled) return StepResult::stalled;
        eta_ = r.step.alpha;
        last_slope_ = LineStep<T>::dot(g_prev_, v_);
        ++since_restart_;
        next_direction(g);
        return StepResult::moved;
    }

    double lr() const override { return eta_; }

private:
    void next_direction(const std::vector<T>& g) {
        const std::size_t n = v_.size();
        double beta = 0;
        if (conjugate_ && since_restart_ < restart_) {
            double g_dot_prev = 0, g_dot_g = 0, prev_dot_prev = 0;
            for (std::size_t i = 0; i < n; ++i) {
                g_dot_prev += double(g[i]) * double(g_prev_[i]);
                g_dot_g += double(g[i]) * double(g[i]);
                prev_dot_prev += double(g_prev_[i]) * double(g_prev_[i]);
            }
            const bool orthogonal_enough = std::fabs(g_dot_prev) < powell_restart * g_dot_g;
            if (orthogonal_enough && prev_dot_prev > 0)
                beta = std::max(0.0, (g_dot_g - g_dot_prev) / prev_dot_prev);  // PR+
        }
        double slope = 0;
        for (std::size_t i = 0; i < n; ++i) {
            v_[i] = -g[i] + T(beta) * v_[i];
            slope += double(v_[i]) * double(g[i]);
        }
        if (beta == 0 || !(slope < 0)) {  // restart: steepest descent
            for (std::size_t i = 0; i < n; ++i) v_[i] = -g[i];
            since_restart_ = 0;
        }
    }

    bool conjugate_;
    std::size_t restart_, since_restart_ = 0;
    LineStep<T> line_;
    double first_step_, eta_ = 0, last_slope_ = 0;
    std::vector<T> g_prev_, v_;
};

}  // namespace deltaprop
