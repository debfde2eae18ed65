// The line search of e-Chapter 7 (exact on a parabola, close on smooth functions, safe on bad
// ones) and the C++ training loop: conjugate gradients on a quadratic, the Monitor hooks,
// divergence and argument checks.
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

// ---- line search -------------------------------------------------------------------------------

/// E(η) = a (η − m)² + c: the vertex must come out exactly, from any first trial step.
void test_line_search_quadratic_exact() {
    struct Case { double a, m, c; };
    const Case cases[] = {{1, 3, 0}, {1, 3, 1}, {0.01, 0.3, 0.5}, {250, 1e-3, 2}, {2, 40, 7}};
    for (const Case& k : cases) {
        auto f = [&](double eta) { return k.a * (eta - k.m) * (eta - k.m) + k.c; };
        for (double ratio : {1e-4, 0.3, 1.0, 1.7, 1e4}) {  // eta0 from far too small to far too big
            const LineSearchResult r = line_search(f, f(0), ratio * k.m);
            if (!(std::fabs(r.eta - k.m) <= 1e-12 * k.m))
                std::fprintf(stderr, "a %g m %g c %g eta0 %g: eta %.17g\n", k.a, k.m, k.c,
                             ratio * k.m, r.eta);
            CHECK(std::fabs(r.eta - k.m) <= 1e-12 * k.m);
            CHECK(r.error == f(r.eta));
            CHECK(r.evaluations <= 60);
        }
    }
}

/// Smooth, non-quadratic functions: the step lands near the minimiser. (Started far beyond the
/// minimum of an asymmetric function such as −η e^(−η) from η₀ = 10, the interpolation keeps
/// one end of the bracket and converges slowly: 8 refinements end at η ≈ 1.4.)
void test_line_search_smooth_functions() {
    struct Case {
        double (*f)(double);
        double minimiser;
        double eta0;
    };
    const Case cases[] = {
        {[](double e) { return std::exp(e) - 3 * e; }, std::log(3.0), 0.1},
        {[](double e) { return std::cosh(e - 5); }, 5.0, 1.0},
        {[](double e) { return -e * std::exp(-e); }, 1.0, 0.1},
        {[](double e) { return std::pow(e - 2, 4) + (e - 2) * (e - 2); }, 2.0, 0.01},
        {[](double e) { return std::tanh(e - 1) * std::tanh(e - 1) + 0.1; }, 1.0, 3.0},
    };
    for (const Case& k : cases) {
        const LineSearchResult r = line_search(k.f, k.f(0), k.eta0);
        const double gap = r.error - k.f(k.minimiser);
        if (!(std::fabs(r.eta - k.minimiser) <= 1e-4 * k.minimiser && gap <= 2e-8))
            std::fprintf(stderr, "minimiser %g: eta %.17g, gap %g, %zu evaluations\n",
                         k.minimiser, r.eta, gap, r.evaluations);
        CHECK(std::fabs(r.eta - k.minimiser) <= 1e-4 * k.minimiser);
        CHECK(gap >= -1e-15 && gap <= 2e-8);  // below f(η*) only by rounding
        CHECK(r.error == k.f(r.eta));
        CHECK(r.evaluations <= 60);
    }
}

/// No decrease along the direction: η = 0, E unchanged, and a bounded number of evaluations.
void test_line_search_without_descent() {
    auto rising = [](double eta) { return 1 + eta; };
    const LineSearchResult r = line_search(rising, rising(0), 1.0);
    CHECK(r.eta == 0);
    CHECK(r.error == 1);
    CHECK(r.evaluations <= 60);
    auto nan_everywhere = [](double) { return std::numeric_limits<double>::quiet_NaN(); };
    const LineSearchResult n = line_search(nan_everywhere, 1.0, 1.0);
    CHECK(n.eta == 0);
    CHECK(n.evaluations <= 60);
}

/// Non-finite beyond a point, or unbounded below: the answer is still finite and lower.
void test_line_search_awkward_functions() {
    auto walled = [](double eta) {
        return eta < 1 ? (eta - 0.5) * (eta - 0.5) : std::numeric_limits<double>::infinity();
    };
    const LineSearchResult w = line_search(walled, walled(0), 4.0);
    CHECK_NEAR(w.eta, 0.5, 1e-12);
    auto nan_wall = [](double eta) {
        return eta < 1 ? (eta - 0.9) * (eta - 0.9) : std::numeric_limits<double>::quiet_NaN();
    };
    const LineSearchResult nw = line_search(nan_wall, nan_wall(0), 0.5);
    CHECK(std::isfinite(nw.error) && nw.error < nan_wall(0));
    CHECK(nw.eta > 0 && nw.eta < 1);
    auto falling = [](double eta) { return -eta; };
    const LineSearchResult u = line_search(falling, 0.0, 1.0);
    CHECK(std::isfinite(u.eta) && u.eta > 1 && u.error < 0);
    CHECK(u.evaluations <= 60);
}

// ---- the training loop -------------------------------------------------------------------------

struct Problem {
    std::vector<double> x, y;
    std::size_t n;
    Data<double> data() const { return Data<double>{x.data(), y.data(), n}; }
};

/// y = a linear function of x plus noise, x with columns of different scales.
Problem regression(std::size_t n, std::size_t d, std::uint64_t seed) {
    Random rng(seed);
    Problem p{{}, {}, n};
    std::vector<double> w(d);
    for (double& v : w) v = rng.normal();
    for (std::size_t i = 0; i < n; ++i) {
        double t = 0.7 + 0.3 * rng.normal();
        for (std::size_t j = 0; j < d; ++j) {
            const double v = double(j + 1) * rng.normal();
            p.x.push_back(v);
            t += w[j] * v;
        }
        p.y.push_back(t);
    }
    return p;
}

double gradient_norm(const Network<double>& net, const Data<double>& data) {
    std::vector<double> g;
    error_and_gradient(net, data, g);
    double s = 0;
    for (double v : g) s += v * v;
    return std::sqrt(s);
}

/// A linear network has a quadratic E_in: conjugate gradients reach its minimum in n steps.
void test_conjugate_gradient_on_a_quadratic() {
    const std::size_t d = 5;
    const Problem p = regression(200, d, 3);
    Network<double> net({d, 1}, Output::identity, 3);
    const double g0 = gradient_norm(net, p.data());
    FitOptions o;
    o.method = "conjugate_gradient";
    o.iterations = net.n_weights();
    const History h = fit(net, p.data(), o);
    CHECK(h.iterations_done <= net.n_weights());
    const double g = gradient_norm(net, p.data());
    if (!(g <= 1e-10 * g0)) std::fprintf(stderr, "CG: |g| %g from %g\n", g, g0);
    CHECK(g <= 1e-10 * g0);
    // steepest descent with the same line search is nowhere near after n steps
    Network<double> sd({d, 1}, Output::identity, 3);
    o.method = "steepest";
    fit(sd, p.data(), o);
    CHECK(gradient_norm(sd, p.data()) > 1e-3 * g0);
}

/// Counts polls; throws from the k-th one, as a Ctrl-C does through the Python monitor.
class ThrowingMonitor : public Monitor {
public:
    explicit ThrowingMonitor(int k) : k_(k) {}
    void poll(const Progress& p) override {
        CHECK(p.total > 0 && p.iteration <= p.total);
        if (++polls_ == k_) throw std::runtime_error("interrupted");
    }
    int polls() const { return polls_; }

private:
    int k_, polls_ = 0;
};

/// Stops at the third recorded row.
class StoppingMonitor : public Monitor {
public:
    bool record(const History& h) override { return h.iteration.size() < 3; }
};

void test_monitor_hooks() {
    const Problem p = regression(100, 3, 4);
    const Data<double>* no_validation = nullptr;
    for (const char* m : {"gd", "sgd", "minibatch", "variable_lr", "steepest",
                          "conjugate_gradient"}) {
        Network<double> net({3, 4, 1}, Output::identity, 4);
        FitOptions o;
        o.method = m;
        o.lr = 1e-3;
        o.iterations = 100000000;
        o.poll_seconds = 0;  // poll at every check
        ThrowingMonitor interrupt(5);
        CHECK_THROWS(fit(net, p.data(), o, no_validation, &interrupt), std::runtime_error, "interrupted");
        CHECK(interrupt.polls() == 5);
        CHECK(net.finite());

        Network<double> net2({3, 4, 1}, Output::identity, 4);
        o.iterations = 1000;
        o.record_every = 10;
        StoppingMonitor stop;
        const History h = fit(net2, p.data(), o, no_validation, &stop);
        CHECK(h.stop_reason == StopReason::monitor);
        CHECK(std::string(to_string(h.stop_reason)) == "callback");
        CHECK(h.iteration.size() == 3 && h.iteration.back() == 20);
    }
}

void test_divergence_restores_finite_weights() {
    const Problem p = regression(100, 3, 5);
    for (const char* m : {"gd", "sgd", "minibatch"}) {
        Network<double> net({3, 8, 1}, Output::identity, 5);
        FitOptions o;
        o.method = m;
        o.lr = 1e6;
        o.iterations = 100000;
        CHECK_THROWS(fit(net, p.data(), o), DivergenceError, "diverged");
        CHECK(net.finite());
        CHECK(std::isfinite(error(net, p.data())));
    }
}

void test_bad_options() {
    const Problem p = regression(10, 2, 6);
    Network<double> net({2, 1}, Output::identity, 6);
    FitOptions o;
    o.lr = 0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "lr");
    o.lr = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "lr");
    o.lr = 0.1;
    o.momentum = 1;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "momentum");
    o.momentum.reset();
    o.method = "minibatch";
    o.batch_size = 0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "batch_size");
    o.batch_size.reset();
    o.method = "adam";
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument,
                 "method must be one of gd, sgd, minibatch, variable_lr, steepest, "
                 "conjugate_gradient; got 'adam'");
    o.method = "variable_lr";
    o.increase = 1.0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "increase must be a finite number > 1.0, got 1.0");
    o.increase = 1.05;
    o.decrease = 1.0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "decrease must be a finite number > 0.0 and <= 0.999999, got 1.0");
    o.decrease = 0.8;
    CHECK(fit(net, p.data(), o).iterations_done == o.iterations);
    o.penalty = "ridge";
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "penalty must be none, weight_decay");
    o.penalty = "weight_decay";
    o.lambda = -1;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "weight_decay must be a finite number >= 0, got -1.0");
}

/// An option given to a method that does not read it is an error naming both; a default
/// (not given) never is.
void test_options_that_do_not_apply() {
    const Problem p = regression(10, 2, 6);
    Network<double> net({2, 1}, Output::identity, 6);
    struct Case { const char* method; void (*give)(FitOptions&); const char* message; };
    const Case cases[] = {
        {"conjugate_gradient", [](FitOptions& o) { o.momentum = 0.0; },
         "momentum applies to gd, sgd and minibatch, not conjugate_gradient"},
        {"gd", [](FitOptions& o) { o.batch_size = 8; },
         "batch_size applies to minibatch, not gd"},
        {"gd", [](FitOptions& o) { o.increase = 1.1; },
         "increase applies to variable_lr, not gd"},
        {"sgd", [](FitOptions& o) { o.decrease = 0.5; },
         "decrease applies to variable_lr, not sgd"},
        {"steepest", [](FitOptions& o) { o.restart_every = 3; },
         "restart_every applies to conjugate_gradient, not steepest"},
        {"variable_lr", [](FitOptions& o) { o.seed = 1; },
         "seed applies to sgd and minibatch, not variable_lr"},
        {"minibatch", [](FitOptions& o) { o.grad_tol = 1e-3; },
         "grad_tol applies to gd, variable_lr, steepest and conjugate_gradient, not minibatch"},
    };
    for (const Case& c : cases) {
        FitOptions o;
        o.method = c.method;
        o.iterations = 2;
        CHECK(fit(net, p.data(), o).iterations_done == 2);  // the defaults apply everywhere
        c.give(o);
        CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, c.message);
    }
}

int main() {
    test_line_search_quadratic_exact();
    test_line_search_smooth_functions();
    test_line_search_without_descent();
    test_line_search_awkward_functions();
    test_conjugate_gradient_on_a_quadratic();
    test_monitor_hooks();
    test_divergence_restores_finite_weights();
    test_bad_options();
    test_options_that_do_not_apply();
    return report("test_training");
}
