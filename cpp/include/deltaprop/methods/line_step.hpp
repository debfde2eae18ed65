// deltaprop/methods/line_step.hpp — one strong-Wolfe line search (line_search.hpp) on an
// Objective, for the methods that take one per iteration (steepest, conjugate_gradient,
// lbfgs): the trial weights, the gradients of the last and of the lowest trial, and the
// options c1, c2 and max_line_evaluations with the method's own default c2.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "deltaprop/checks.hpp"
#include "deltaprop/fit_options.hpp"
#include "deltaprop/line_search.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/methods/method.hpp"
#include "deltaprop/objective.hpp"

namespace deltaprop {

/// The Wolfe constants of a run: the options given, or the defaults (c2 the method's own).
/// Throws std::invalid_argument unless c1 < c2.
inline WolfeConditions wolfe_conditions(const FitOptions& o, double default_c2) {
    WolfeConditions c;
    c.c1 = o.c1.value_or(FitOptions::default_c1);
    c.c2 = o.c2.value_or(default_c2);
    c.max_evaluations = o.max_line_evaluations.value_or(FitOptions::default_max_line_evaluations);
    if (!(c.c1 < c.c2))
        throw std::invalid_argument("c1 must be below c2 (the line search's 0 < c1 < c2 < 1), got c1 = " +
                                    number_text(c.c1) + " and c2 = " + number_text(c.c2) +
                                    (o.c2 ? "" : " (" + o.method + "'s default)"));
    return c;
}

/// What a method's step comes to after its last search r: stalled when r found no decrease
/// (note says why), else moved (and note says so if the Wolfe conditions were not met).
inline StepResult step_result(const LineSearchResult& r, std::string& note) {
    const std::string how = std::string(to_string(r.status)) + " after " +
                            std::to_string(r.evaluations) + " evaluations";
    if (r.step.alpha == 0) {
        note += "the line search stopped the run: " + how;
        return StepResult::stalled;
    }
    if (r.status != LineSearchStatus::wolfe) note += "line search: " + how;
    return StepResult::moved;
}

template <class T>
class LineStep {
public:
    LineStep(std::size_t n_weights, const WolfeConditions& c) : c_(c) {
        allocate(w0_, n_weights, T(0), "the line search's start");
        allocate(g_last_, n_weights, T(0), "a trial gradient");
        allocate(g_best_, n_weights, T(0), "the best trial gradient");
    }

    /// A search along v from w, where `at` and g hold E and ∇E_aug, with α0 the first trial.
    /// With a decrease found, w, g and `at` move to the step; otherwise they are unchanged.
    LineSearchResult search(Objective<T>& f, T* w, std::vector<T>& g, Evaluation& at,
                            const std::vector<T>& v, double alpha0) {
        const std::size_t n = v.size();
        std::copy(w, w + n, w0_.begin());
        Evaluation last_at{}, best_at = at;
        double best = at.augmented;
        auto phi = [&](double alpha) {
            for (std::size_t i = 0; i < n; ++i) w[i] = w0_[i] + T(alpha) * v[i];
            last_at = f.value_and_gradient(w, g_last_.data());
            const LinePoint p{alpha, last_at.augmented, dot(g_last_, v)};
            if (p.value < best) {  // keep the lowest trial's gradient, in case the search ends there
                best = p.value;
                best_at = last_at;
                std::copy(g_last_.begin(), g_last_.end(), g_best_.begin());
            }
            return p;
        };
        const LineSearchResult r =
            wolfe_line_search(phi, LinePoint{0, at.augmented, dot(g, v)}, alpha0, c_);
        if (r.step.alpha == 0) {  // no decrease: back to the start
            std::copy(w0_.begin(), w0_.end(), w);
            return r;
        }
        for (std::size_t i = 0; i < n; ++i) w[i] = w0_[i] + T(r.step.alpha) * v[i];
        if (r.last_trial) {
            g.swap(g_last_);
            at = last_at;
        } else {
            g.swap(g_best_);
            at = best_at;
        }
        return r;
    }

    const WolfeConditions& conditions() const { return c_; }

    static double dot(const std::vector<T>& a, const std::vector<T>& b) {
        double s = 0;
        for (std::size_t i = 0; i < a.size(); ++i) s += double(a[i]) * double(b[i]);
        return s;
    }

private:
    WolfeConditions c_;
    std::vector<T> w0_, g_last_, g_best_;
};

}  // namespace deltaprop
