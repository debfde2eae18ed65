// deltaprop/methods/lbfgs.hpp — limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 and 7.5):
// the direction v = −H g from the two-loop recursion over the last `memory` pairs
// s = w_{k+1} − w_k, y = g_{k+1} − g_k, with H₀ = γI, γ = sᵀy / yᵀy of the newest pair; each step
// a strong-Wolfe line search (line_step.hpp, c2 = 0.9 by default) whose first trial is α = 1
// (at the first step, the step of length lr along −g). A pair with sᵀy ≤ ε‖s‖‖y‖ is skipped
// (it would make H indefinite); a direction that is not a descent direction, or a search that
// finds no decrease, clears the memory and tries −g once before the run stops.
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
class Lbfgs : public FullBatchMethod<T> {
public:
    static constexpr double default_c2 = 0.9;
    static constexpr double default_lr = 1.0;
    static constexpr std::size_t default_memory = 10;
    static constexpr double skip_eps = 1e-10;  ///< ε of the test sᵀy > ε‖s‖‖y‖

    Lbfgs(const FitOptions& o, std::size_t n_weights)
        : n_(n_weights), m_(o.memory.value_or(default_memory)),
          line_(n_weights, wolfe_conditions(o, default_c2)),
          first_length_(o.lr.value_or(default_lr)) {
        allocate(s_, m_ * n_, T(0), "L-BFGS's steps s (memory × weights)");
        allocate(y_, m_ * n_, T(0), "L-BFGS's gradient changes y (memory × weights)");
        allocate(rho_, m_, 0.0, "L-BFGS's 1/sᵀy");
        allocate(alpha_, m_, 0.0, "the two-loop coefficients");
        allocate(q_, n_, 0.0, "the two-loop vector");
        allocate(v_, n_, T(0), "the step direction");
        allocate(w_prev_, n_, T(0), "the previous weights");
        allocate(g_prev_, n_, T(0), "the previous gradient");
    }

    StepResult step(Objective<T>& f, T* w, std::vector<T>& g, Evaluation& at, bool) override {
        std::copy(w, w + n_, w_prev_.begin());
        std::copy(g.begin(), g.end(), g_prev_.begin());
        LineSearchResult r{};
        if (count_ > 0) {
            direction(g);
            if (LineStep<T>::dot(g, v_) < 0) r = line_.search(f, w, g, at, v_, 1.0);
            else r.status = LineSearchStatus::not_descent;
            if (r.step.alpha == 0) {
                this->note_ = std::string("the L-BFGS direction failed (") + to_string(r.status) +
                              "); cleared the memory and searched along -g. ";
                count_ = 0;
            }
        }
        if (count_ == 0) {  // −g, with a first trial of length lr (first step) or of the last step
            const double gnorm = norm(g);
            for (std::size_t i = 0; i < n_; ++i) v_[i] = -g[i];
            const double length = step_length_ > 0 ? step_length_ : first_length_;
            r = line_.search(f, w, g, at, v_, gnorm > 0 ? length / gnorm : 1.0);
        }
        if (step_result(r, this->note_) == StepResult::stalled) return StepResult::stalled;
        eta_ = r.step.alpha;
        remember(w, g);
        return StepResult::moved;
    }

    double lr() const override { return eta_; }

private:
    /// Adds the pair of this step (s = w − w_prev, y = g − g_prev) unless sᵀy ≤ ε‖s‖‖y‖.
    void remember(const T* w, const std::vector<T>& g) {
        T* s = s_.data() + next_ * n_;
        T* y = y_.data() + next_ * n_;
        double sy = 0, ss = 0, yy = 0;
        for (std::size_t i = 0; i < n_; ++i) {
            s[i] = w[i] - w_prev_[i];
            y[i] = g[i] - g_prev_[i];
            sy += double(s[i]) * double(y[i]);
            ss += double(s[i]) * double(s[i]);
            yy += double(y[i]) * double(y[i]);
        }
        step_length_ = std::sqrt(ss);
        if (!(sy > skip_eps * std::sqrt(ss) * std::sqrt(yy))) {
            this->note_ += "skipped an update with sᵀy <= ε‖s‖‖y‖";
            return;
        }
        rho_[next_] = 1 / sy;
        gamma_ = sy / yy;
        next_ = (next_ + 1) % m_;
        count_ = std::min(count_ + 1, m_);
    }

    /// v ← −H g by the two-loop recursion over the pairs kept, newest first.
    void direction(const std::vector<T>& g) {
        for (std::size_t i = 0; i < n_; ++i) q_[i] = double(g[i]);
        for (std::size_t k = 0; k < count_; ++k) {
            const std::size_t j = (next_ + m_ - 1 - k) % m_;
            const T* s = s_.data() + j * n_;
            const T* y = y_.data() + j * n_;
            double sq = 0;
            for (std::size_t i = 0; i < n_; ++i) sq += double(s[i]) * q_[i];
            alpha_[j] = rho_[j] * sq;
            for (std::size_t i = 0; i < n_; ++i) q_[i] -= alpha_[j] * double(y[i]);
        }
        for (std::size_t i = 0; i < n_; ++i) q_[i] *= gamma_;
        for (std::size_t k = count_; k-- > 0;) {
            const std::size_t j = (next_ + m_ - 1 - k) % m_;
            const T* s = s_.data() + j * n_;
            const T* y = y_.data() + j * n_;
            double yr = 0;
            for (std::size_t i = 0; i < n_; ++i) yr += double(y[i]) * q_[i];
            const double b = rho_[j] * yr;
            for (std::size_t i = 0; i < n_; ++i) q_[i] += (alpha_[j] - b) * double(s[i]);
        }
        for (std::size_t i = 0; i < n_; ++i) v_[i] = T(-q_[i]);
    }

    std::size_t n_, m_;
    LineStep<T> line_;
    double first_length_, eta_ = 0, gamma_ = 1, step_length_ = 0;
    std::size_t next_ = 0, count_ = 0;  ///< the slot of the next pair; pairs kept
    std::vector<T> s_, y_;
    std::vector<double> rho_, alpha_, q_;
    std::vector<T> v_, w_prev_, g_prev_;
};

}  // namespace deltaprop
