// deltaprop/line_search.hpp — minimise E(η) = E_in(w + η v) along a descent direction v, as in
// e-Chapter 7: bracket a "U-arrangement" η₁ < η₂ < η₃ with E(η₂) below both ends, then shrink it
// by quadratic interpolation, falling back to bisection when the parabola's vertex is unusable.
// For a quadratic E the first interpolation lands on the exact minimum.
#pragma once

#include <cmath>
#include <cstddef>
#include <utility>

namespace deltaprop {

struct LineSearchResult {
    double eta = 0;        ///< the step found (0 when no decrease was found)
    double error = 0;      ///< E(eta)
    std::size_t evaluations = 0;
};

/// f(η) → E. e0 = f(0), eta0 > 0 the first trial step. At most max_evaluations calls of f.
template <class F>
LineSearchResult line_search(F&& f, double e0, double eta0, std::size_t refinements = 8,
                             std::size_t max_evaluations = 60) {
    LineSearchResult out;
    out.error = e0;
    auto eval = [&](double eta) {
        ++out.evaluations;
        return f(eta);
    };
    // --- bracket: (a, fa) < (b, fb) > ... with fb < fa and fb < fc -------------------------
    double a = 0, fa = e0;
    double b = eta0, fb = eval(b);
    while (!(fb < fa)) {  // too far (or not finite): shrink towards 0
        if (out.evaluations >= max_evaluations || b < 1e-300) return out;  // no decrease found
        b *= 0.5;
        fb = eval(b);
    }
    double c = 2 * b, fc = eval(c);
    while (fc < fb) {  // still falling: expand
        if (out.evaluations >= max_evaluations || !std::isfinite(c * 2)) {
            out.eta = c;
            out.error = fc;
            return out;
        }
        a = b, fa = fb;
        b = c, fb = fc;
        c = 2 * c;
        fc = eval(c);
    }
    // --- refine the U-arrangement a < b < c, fb ≤ fa, fb ≤ fc ---------------------------------
    for (std::size_t it = 0; it < refinements && out.evaluations < max_evaluations; ++it) {
        // vertex of the parabola through the three points
        const double p = (b - a) * (fb - fc), q = (b - c) * (fb - fa);
        const double denom = 2 * (p - q);
        double x = denom != 0 ? b - ((b - a) * p - (b - c) * q) / denom : NAN;
        // converged: the vertex sits on the best point (the exact answer for a quadratic)
        if (std::isfinite(x) && std::fabs(x - b) <= 1e-12 * std::fabs(b)) break;
        if (!(std::isfinite(x) && x > a && x < c))
            x = (b - a) > (c - b) ? 0.5 * (a + b) : 0.5 * (b + c);  // bisect the longer side
        const double fx = eval(x);
        if (x < b) {
            if (fx < fb) c = b, fc = fb, b = x, fb = fx;
            else a = x, fa = fx;
        } else {
            if (fx < fb) a = b, fa = fb, b = x, fb = fx;
            else c = x, fc = fx;
        }
        if ((c - a) <= 1e-12 * b) break;
    }
    out.eta = b;
    out.error = fb;
    return out;
}

}  // namespace deltaprop
