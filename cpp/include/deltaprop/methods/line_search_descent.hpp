// deltaprop/methods/line_search_descent.hpp — steepest descent and conjugate gradients, each
// step a line search (line_search.hpp) along a direction v:
//   steepest            v = −g
//   conjugate_gradient  v = −g + μ v_prev (Polak–Ribière, μ ≥ 0), restarted as steepest
//                       descent on a non-descent direction and every `restart_every` steps
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "deltaprop/fit_options.hpp"
#include "deltaprop/line_search.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/methods/method.hpp"

namespace deltaprop {

template <class T>
class LineSearchDescent : public FullBatchMethod<T> {
public:
    LineSearchDescent(const FitOptions& o, std::size_t n_weights, bool conjugate)
        : conjugate_(conjugate),
          restart_(o.restart_every.value_or(0) ? *o.restart_every : n_weights),
          refinements_(o.line_refinements), eta_(o.lr), step_guess_(o.lr) {
        allocate(g_prev_, n_weights, T(0), "the previous gradient");
        allocate(v_, n_weights, T(0), "the step direction");
        allocate(w_start_, n_weights, T(0), "trial weights");
    }

    void start(const std::vector<T>& g) override {
        for (std::size_t i = 0; i < v_.size(); ++i) v_[i] = -g[i];
    }

    StepResult step(Objective<T>& f, T* w, std::vector<T>& g, Evaluation& at, bool) override {
        const std::size_t n = v_.size();
        // Scale the first trial so that it moves the weights by about step_guess·‖g‖/‖v‖.
        const double vnorm = norm(v_), gnorm = norm(g);
        const double eta0 = vnorm > 0 ? step_guess_ * gnorm / vnorm : step_guess_;
        std::copy(w, w + n, w_start_.begin());
        auto along = [&](double eta) {  // E_aug(w + ηv)
            for (std::size_t i = 0; i < n; ++i) w[i] = w_start_[i] + T(eta) * v_[i];
            return f.value(w).augmented;
        };
        const LineSearchResult ls = line_search(along, at.augmented, eta0, refinements_);
        if (ls.eta == 0) {  // no decrease along v: at a minimum to working precision
            std::copy(w_start_.begin(), w_start_.end(), w);
            return StepResult::stalled;
        }
        for (std::size_t i = 0; i < n; ++i) w[i] = w_start_[i] + T(ls.eta) * v_[i];
        eta_ = ls.eta;
        step_guess_ = ls.eta * vnorm / (gnorm > 0 ? gnorm : 1);
        g_prev_.swap(g);
        at = f.value_and_gradient(w, g.data());
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
            double num = 0, den = 0;
            for (std::size_t i = 0; i < n; ++i) {
                num += double(g[i]) * (double(g[i]) - double(g_prev_[i]));
                den += double(g_prev_[i]) * double(g_prev_[i]);
            }
            beta = den > 0 ? std::max(0.0, num / den) : 0.0;  // Polak–Ribière, μ ≥ 0
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
    std::size_t restart_, refinements_, since_restart_ = 0;
    double eta_, step_guess_;
    std::vector<T> g_prev_, v_, w_start_;
};

}  // namespace deltaprop
