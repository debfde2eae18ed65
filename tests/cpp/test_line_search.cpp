// The strong-Wolfe line search (line_search.hpp): both conditions hold at the step it accepts
// on quadratics, on the Rosenbrock function along several directions, on smooth non-quadratic
// functions and on real networks; it refuses a direction that is not a descent direction, and
// on functions with no acceptable step (rising, NaN, unbounded) it stays finite and bounded.
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

/// Both strong Wolfe conditions at r's step, recomputed from phi; a message when one fails.
template <class Phi>
bool wolfe_holds(Phi&& phi, const LinePoint& at0, const LineSearchResult& r,
                 const WolfeConditions& c, const char* what) {
    const LinePoint p = phi(r.step.alpha);
    const bool decrease = p.value <= at0.value + c.c1 * p.alpha * at0.slope;
    const bool curvature = std::fabs(p.slope) <= c.c2 * std::fabs(at0.slope);
    const bool ok = r.status == LineSearchStatus::wolfe && decrease && curvature &&
                    p.value == r.step.value && r.step.alpha > 0;
    if (!ok)
        std::fprintf(stderr, "%s: status %s, alpha %.17g, phi %.17g (phi0 %.17g), slope %.3g "
                     "(slope0 %.3g), %zu evaluations\n", what, to_string(r.status), p.alpha,
                     p.value, at0.value, p.slope, at0.slope, r.evaluations);
    return ok;
}

const WolfeConditions conditions[] = {{1e-4, 0.9, 20}, {1e-4, 0.1, 20}, {0.3, 0.5, 20}};

/// φ(α) = a(α − m)² + k from first trials far too short to far too long.
void test_quadratics() {
    struct Case { double a, m, k; };
    for (const Case& q : {Case{1, 3, 0}, Case{1, 3, 1}, Case{0.01, 0.3, 0.5}, Case{250, 1e-3, 2},
                          Case{2, 40, 7}}) {
        auto phi = [&](double a) { return LinePoint{a, q.a * (a - q.m) * (a - q.m) + q.k, 2 * q.a * (a - q.m)}; };
        const LinePoint at0 = phi(0);
        for (const WolfeConditions& c : conditions)
            for (double ratio : {1e-4, 0.3, 1.0, 1.7, 1e4}) {
                const LineSearchResult r = wolfe_line_search(phi, at0, ratio * q.m, c);
                CHECK(wolfe_holds(phi, at0, r, c, "quadratic"));
                CHECK(r.evaluations <= c.max_evaluations);
            }
    }
}

/// f(x, y) = 100(y − x²)² + (1 − x)² along −∇f, along a random descent direction and along the
/// Newton direction, from points around the valley.
void test_rosenbrock() {
    auto f = [](const double* p, double* g) {
        const double x = p[0], y = p[1];
        g[0] = -400 * x * (y - x * x) - 2 * (1 - x);
        g[1] = 200 * (y - x * x);
        return 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x);
    };
    Random rng(11);
    int checked = 0;
    for (int start = 0; start < 40; ++start) {
        const double p0[2] = {-2 + 4 * rng.uniform(), -1 + 4 * rng.uniform()};
        double g0[2];
        const double f0 = f(p0, g0);
        const double x = p0[0], y = p0[1];
        // Hessian, for the Newton direction
        const double hxx = 1200 * x * x - 400 * y + 2, hxy = -400 * x, hyy = 200;
        const double det = hxx * hyy - hxy * hxy;
        std::vector<std::vector<double>> directions = {
            {-g0[0], -g0[1]}, {-g0[0] + rng.normal() * 0.3 * std::fabs(g0[0]), -g0[1]}};
        if (det > 0 && hxx > 0)
            directions.push_back({-(hyy * g0[0] - hxy * g0[1]) / det, -(-hxy * g0[0] + hxx * g0[1]) / det});
        for (std::size_t d = 0; d < directions.size(); ++d) {
            const std::vector<double>& v = directions[d];
            const double slope0 = g0[0] * v[0] + g0[1] * v[1];
            if (!(slope0 < 0)) continue;
            auto phi = [&](double a) {
                const double p[2] = {p0[0] + a * v[0], p0[1] + a * v[1]};
                double g[2];
                const double e = f(p, g);
                return LinePoint{a, e, g[0] * v[0] + g[1] * v[1]};
            };
            for (const WolfeConditions& c : conditions) {
                const double alpha0 = d == 2 ? 1.0 : 1e-3;  // Newton's natural step, or a guess
                const LineSearchResult r = wolfe_line_search(phi, LinePoint{0, f0, slope0}, alpha0, c);
                CHECK(wolfe_holds(phi, LinePoint{0, f0, slope0}, r, c, "rosenbrock"));
                ++checked;
            }
        }
    }
    CHECK(checked >= 200);
}

/// Smooth non-quadratic functions, from first trials on either side of the minimiser.
void test_smooth_functions() {
    struct Case {
        double (*f)(double);
        double (*df)(double);
    };
    const Case cases[] = {
        {[](double e) { return std::exp(e) - 3 * e; }, [](double e) { return std::exp(e) - 3; }},
        {[](double e) { return std::cosh(e - 5); }, [](double e) { return std::sinh(e - 5); }},
        {[](double e) { return -e * std::exp(-e); }, [](double e) { return (e - 1) * std::exp(-e); }},
        {[](double e) { return std::pow(e - 2, 4) + (e - 2) * (e - 2); },
         [](double e) { return 4 * std::pow(e - 2, 3) + 2 * (e - 2); }},
        {[](double e) { return std::tanh(e - 1) * std::tanh(e - 1) + 0.1; },
         [](double e) { const double t = std::tanh(e - 1); return 2 * t * (1 - t * t); }},
    };
    for (const Case& k : cases) {
        auto phi = [&](double a) { return LinePoint{a, k.f(a), k.df(a)}; };
        for (const WolfeConditions& c : conditions)
            for (double alpha0 : {1e-3, 0.1, 1.0, 10.0}) {
                const LineSearchResult r = wolfe_line_search(phi, phi(0), alpha0, c);
                CHECK(wolfe_holds(phi, phi(0), r, c, "smooth"));
            }
    }
}

/// φ'(0) ≥ 0: nothing is evaluated. No decrease anywhere, NaN everywhere: step 0, within the
/// budget. Infinite beyond a wall: a finite, acceptable step before it. Unbounded below: a
/// finite step at the end of the budget, the lowest seen.
void test_awkward_functions() {
    const WolfeConditions c{1e-4, 0.9, 20};
    int calls = 0;
    auto counted = [&](double a) { ++calls; return LinePoint{a, 1 + a, 1}; };
    LineSearchResult r = wolfe_line_search(counted, LinePoint{0, 1, 1}, 1.0, c);
    CHECK(r.status == LineSearchStatus::not_descent && calls == 0 && r.step.alpha == 0);

    auto rising = [](double a) { return LinePoint{a, 1 + a, 1}; };  // claims a descent at 0
    r = wolfe_line_search(rising, LinePoint{0, 1, -1}, 1.0, c);
    CHECK(r.status == LineSearchStatus::no_decrease && r.step.alpha == 0 && r.step.value == 1);
    CHECK(r.evaluations <= c.max_evaluations);

    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto nowhere = [&](double a) { return LinePoint{a, nan, nan}; };
    r = wolfe_line_search(nowhere, LinePoint{0, 1, -1}, 1.0, c);
    CHECK(r.status == LineSearchStatus::no_decrease && r.step.alpha == 0);
    CHECK(r.evaluations <= c.max_evaluations);

    const double inf = std::numeric_limits<double>::infinity();
    auto walled = [&](double a) {
        return a < 1 ? LinePoint{a, (a - 0.5) * (a - 0.5), 2 * (a - 0.5)} : LinePoint{a, inf, nan};
    };
    r = wolfe_line_search(walled, walled(0), 4.0, c);
    CHECK(wolfe_holds(walled, walled(0), r, c, "walled"));

    auto falling = [](double a) { return LinePoint{a, -a, -1}; };
    r = wolfe_line_search(falling, falling(0), 1.0, c);
    CHECK(r.status == LineSearchStatus::best_point && std::isfinite(r.step.alpha));
    CHECK(r.step.alpha > 1 && r.step.value == -r.step.alpha && r.evaluations == c.max_evaluations);
}

/// Real networks (tanh and relu hidden layers, three outputs and losses) at random weights,
/// along −∇E_in: the conditions hold in both the steepest/CG (c2 = 0.1) and L-BFGS (0.9) form.
template <class T>
void test_real_networks() {
    const std::size_t n = 150;
    Random rng(5);
    std::vector<T> x(n * 3), y_pm(n), y_01(n);
    for (T& v : x) v = T(2 * rng.uniform() - 1);
    for (std::size_t i = 0; i < n; ++i) {
        y_pm[i] = x[3 * i] * x[3 * i + 1] > x[3 * i + 2] ? T(1) : T(-1);
        y_01[i] = y_pm[i] > 0 ? T(1) : T(0);
    }
    struct Net { Parts parts; const std::vector<T>* y; };
    const Net nets[] = {{Parts{{}, Output::tanh, {}}, &y_pm},
                        {Parts{{Activation::relu}, Output::identity, {}}, &y_pm},
                        {Parts{{Activation::logistic}, Output::logistic, Loss::cross_entropy}, &y_01}};
    for (const Net& spec : nets)
        for (std::uint64_t seed = 0; seed < 10; ++seed) {
            Network<T> net({3, 8, 1}, spec.parts, seed);
            const Data<T> data{x.data(), spec.y->data(), n};
            Evaluator<T> ev(net.layout());
            const std::vector<T> w0 = net.flat();
            std::vector<T> g0(net.n_weights()), g(net.n_weights()), w(net.n_weights());
            const double e0 = ev.error_and_gradient(net, data, g0.data());
            double slope0 = 0;
            for (T v : g0) slope0 -= double(v) * double(v);
            auto phi = [&](double a) {
                for (std::size_t i = 0; i < w.size(); ++i) w[i] = w0[i] - T(a) * g0[i];
                net.assign(w.data());
                const double e = ev.error_and_gradient(net, data, g.data());
                double s = 0;
                for (std::size_t i = 0; i < g.size(); ++i) s -= double(g[i]) * double(g0[i]);
                return LinePoint{a, e, s};
            };
            for (const WolfeConditions& c : {WolfeConditions{1e-4, 0.1, 20}, WolfeConditions{1e-4, 0.9, 20}}) {
                const LineSearchResult r = wolfe_line_search(phi, LinePoint{0, e0, slope0}, 0.1, c);
                // float32 rounding may leave the curvature condition out of reach: then the
                // search keeps the lowest point, which must be below the start
                if (sizeof(T) == 8 || r.status == LineSearchStatus::wolfe)
                    CHECK(wolfe_holds(phi, LinePoint{0, e0, slope0}, r, c, "network"));
                else
                    CHECK(r.status == LineSearchStatus::best_point && r.step.value < e0);
            }
        }
}

int main() {
    test_quadratics();
    test_rosenbrock();
    test_smooth_functions();
    test_awkward_functions();
    test_real_networks<double>();
    test_real_networks<float>();
    return report("test_line_search");
}
