// deltaprop/line_search.hpp — a step along a descent direction v that satisfies the strong
// Wolfe conditions (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 3.5 and 3.6):
//
//   φ(α) = E_aug(w + αv),  φ'(α) = ∇E_aug(w + αv)ᵀ v,  φ'(0) < 0
//   sufficient decrease  φ(α) ≤ φ(0) + c1 α φ'(0)
//   curvature            |φ'(α)| ≤ c2 |φ'(0)|,          0 < c1 < c2 < 1
//
// Bracketing (3.5) grows the trial step until it brackets an acceptable one; zoom (3.6) then
// shrinks the bracket by cubic interpolation through φ and φ' at its ends, safeguarded to stay
// inside it (bisection when the cubic's minimum is unusable or too near an end). A trial whose
// E is not finite counts as too far. Near a minimum, where E's differences are rounding, the
// slopes decide (Hager and Zhang's approximate Wolfe condition), so that a method can drive ‖g‖
// far below what E's own digits resolve. Every trial is recorded by the caller's φ; when the
// conditions cannot be met within the budget of evaluations the search ends on the lowest φ
// seen, provided it is below φ(0), and says why. It never ends on a non-finite point.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace deltaprop {

/// What a strong-Wolfe search is asked: 0 < c1 < c2 < 1 and a budget of evaluations.
struct WolfeConditions {
    double c1 = 1e-4;
    double c2 = 0.9;
    std::size_t max_evaluations = 20;
};

/// φ and φ' at one trial step.
struct LinePoint {
    double alpha = 0;
    double value = 0;  ///< φ(α)
    double slope = 0;  ///< φ'(α)
};

enum class LineSearchStatus {
    wolfe,        ///< both conditions hold at the step
    best_point,   ///< the budget ran out or the bracket collapsed: the lowest φ seen, below φ(0)
    no_decrease,  ///< no trial below φ(0): the step is 0
    not_descent,  ///< φ'(0) ≥ 0 (or not finite): nothing tried
};

inline const char* to_string(LineSearchStatus s) {
    switch (s) {
        case LineSearchStatus::wolfe: return "the strong Wolfe conditions hold";
        case LineSearchStatus::best_point:
            return "the strong Wolfe conditions were not met within the budget; kept the lowest "
                   "point seen";
        case LineSearchStatus::no_decrease: return "no step along the direction lowered E";
        case LineSearchStatus::not_descent: return "the direction is not a descent direction";
    }
    return "?";
}

struct LineSearchResult {
    LinePoint step;     ///< the step taken (alpha 0 with no_decrease and not_descent)
    LineSearchStatus status = LineSearchStatus::no_decrease;
    bool last_trial = true;  ///< the step is the last φ evaluated (else the lowest seen before)
    std::size_t evaluations = 0;
};

namespace detail {

/// The minimiser of the cubic through (a, fa, da) and (b, fb, db) (N&W eq. 3.59); NaN when the
/// cubic has none.
inline double cubic_minimum(const LinePoint& a, const LinePoint& b) {
    const double d1 = a.slope + b.slope - 3 * (a.value - b.value) / (a.alpha - b.alpha);
    const double disc = d1 * d1 - a.slope * b.slope;
    if (!(disc >= 0)) return std::numeric_limits<double>::quiet_NaN();
    const double d2 = std::copysign(std::sqrt(disc), b.alpha - a.alpha);
    const double denom = b.slope - a.slope + 2 * d2;
    if (denom == 0) return std::numeric_limits<double>::quiet_NaN();
    return b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / denom;
}

}  // namespace detail

/// Values of φ closer than this times |φ(0)| are equal to rounding (a few thousand ulps: the
/// rounding of a sum over thousands of points).
inline constexpr double flat_tolerance = 1e-12;

/// phi(α) → LinePoint{α, φ(α), φ'(α)}; at0 = {0, φ(0), φ'(0)}; alpha0 > 0 the first trial.
template <class Phi>
LineSearchResult wolfe_line_search(Phi&& phi, const LinePoint& at0, double alpha0,
                                   const WolfeConditions& c) {
    LineSearchResult out;
    out.step = at0;
    if (!(at0.slope < 0) || !std::isfinite(at0.value)) {
        out.status = LineSearchStatus::not_descent;
        return out;
    }
    LinePoint best = at0, last = at0;
    auto eval = [&](double alpha) {
        ++out.evaluations;
        last = phi(alpha);
        if (!std::isfinite(last.value) || !std::isfinite(last.slope))  // too far
            last.value = std::numeric_limits<double>::infinity();
        if (last.value < best.value) best = last;
        return last;
    };
    // Near a minimum, differences of E sink into its rounding: values within `flat` of each
    // other are compared by their slopes instead, and sufficient decrease may be shown by the
    // slope (Hager and Zhang's approximate Wolfe condition, φ'(α) ≤ (1 − 2c1)|φ'(0)|, which is
    // sufficient decrease for a quadratic φ) when φ(α) is within `flat` of φ(0), above or below.
    const double flat = flat_tolerance * std::fabs(at0.value);
    auto level = [&](const LinePoint& p, const LinePoint& q) {
        return std::fabs(p.value - q.value) <= flat;
    };
    auto sufficient = [&](const LinePoint& p) {
        return p.value <= at0.value + c.c1 * p.alpha * at0.slope ||
               (level(p, at0) && p.slope <= (2 * c.c1 - 1) * at0.slope);
    };
    auto curvature = [&](const LinePoint& p) { return std::fabs(p.slope) <= -c.c2 * at0.slope; };
    auto accept = [&](LineSearchStatus status) {
        out.step = last;
        out.status = status;
        out.last_trial = true;
        return out;
    };
    auto give_up = [&]() {  // the lowest point seen, if it is a decrease
        out.last_trial = best.alpha == last.alpha;
        if (best.value < at0.value) {
            out.step = best;
            out.status = LineSearchStatus::best_point;
        } else {
            out.step = at0;
            out.status = LineSearchStatus::no_decrease;
        }
        return out;
    };

    // zoom(lo, hi): lo satisfies sufficient decrease and has the lowest φ of the bracket's
    // ends; φ'(lo)(hi − lo) < 0, so an acceptable step lies between them.
    auto zoom = [&](LinePoint lo, LinePoint hi) {
        while (out.evaluations < c.max_evaluations) {
            const double width = hi.alpha - lo.alpha;
            if (std::fabs(width) <= 1e-14 * std::max(std::fabs(lo.alpha), std::fabs(hi.alpha)))
                break;  // the bracket has collapsed to rounding
            double alpha = std::isfinite(hi.value) ? detail::cubic_minimum(lo, hi)
                                                   : std::numeric_limits<double>::quiet_NaN();
            // safeguard: at least a tenth of the width away from either end
            const double a = lo.alpha + 0.1 * width, b = hi.alpha - 0.1 * width;
            if (!(std::isfinite(alpha) && alpha >= std::min(a, b) && alpha <= std::max(a, b)))
                alpha = lo.alpha + 0.5 * width;
            const LinePoint p = eval(alpha);
            if (!sufficient(p)) {
                hi = p;
            } else if (level(p, lo)) {  // as low as lo to rounding: the slope says which side
                if (curvature(p)) return accept(LineSearchStatus::wolfe);
                if (p.slope * (hi.alpha - lo.alpha) >= 0) hi = p;
                else lo = p;
            } else if (p.value > lo.value) {
                hi = p;
            } else {
                if (curvature(p)) return accept(LineSearchStatus::wolfe);
                if (p.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
                lo = p;
            }
        }
        return give_up();
    };

    LinePoint prev = at0;
    double alpha = alpha0;
    while (out.evaluations < c.max_evaluations) {
        const LinePoint p = eval(alpha);
        if (!sufficient(p) || (out.evaluations > 1 && p.value >= prev.value && !level(p, prev)))
            return zoom(prev, p);
        if (curvature(p)) return accept(LineSearchStatus::wolfe);
        if (p.slope >= 0) return zoom(p, prev);
        // still falling steeply: extrapolate, by the cubic through the last two points kept
        // within [1.1, 4] times the last growth (Moré and Thuente's interval)
        const double grow = p.alpha - prev.alpha;
        double next = detail::cubic_minimum(prev, p);
        const double lo = p.alpha + 1.1 * grow, hi = p.alpha + 4 * grow;
        next = std::isfinite(next) ? std::min(std::max(next, lo), hi) : hi;
        if (!std::isfinite(next)) break;
        prev = p;
        alpha = next;
    }
    return give_up();
}

}  // namespace deltaprop
