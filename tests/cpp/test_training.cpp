// The C++ training loop: conjugate gradients on a quadratic, the Monitor hooks, divergence and
// argument checks. (The line search has its own test, test_line_search.cpp.)
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

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
    o.method = "rmsprop";
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument,
                 "method must be one of gd, sgd, minibatch, variable_lr, steepest, "
                 "conjugate_gradient, lbfgs, adam; got 'rmsprop'");
    o.method = "lbfgs";
    o.memory = 0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "memory must be an integer >= 1, got 0");
    o.memory.reset();
    o.c1 = 0.95;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument,
                 "c1 must be below c2 (the line search's 0 < c1 < c2 < 1), got c1 = 0.95 and c2 = 0.9 (lbfgs's default)");
    o.c2 = 1.0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "c2 must be a number > 0.0 and < 1.0, got 1.0");
    o.c1.reset();
    o.c2.reset();
    o.method = "adam";
    o.beta1 = 1.0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "beta1 must be a number >= 0.0 and < 1.0, got 1.0");
    o.beta1.reset();
    o.eps = 0;
    CHECK_THROWS(fit(net, p.data(), o), std::invalid_argument, "eps must be a finite number > 0.0, got 0.0");
    o.eps.reset();
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
         "batch_size applies to minibatch and adam, not gd"},
        {"gd", [](FitOptions& o) { o.increase = 1.1; },
         "increase applies to variable_lr, not gd"},
        {"sgd", [](FitOptions& o) { o.decrease = 0.5; },
         "decrease applies to variable_lr, not sgd"},
        {"steepest", [](FitOptions& o) { o.restart_every = 3; },
         "restart_every applies to conjugate_gradient, not steepest"},
        {"variable_lr", [](FitOptions& o) { o.seed = 1; },
         "seed applies to sgd, minibatch and adam, not variable_lr"},
        {"gd", [](FitOptions& o) { o.memory = 5; }, "memory applies to lbfgs, not gd"},
        {"gd", [](FitOptions& o) { o.c1 = 0.01; },
         "c1 applies to steepest, conjugate_gradient and lbfgs, not gd"},
        {"minibatch", [](FitOptions& o) { o.beta2 = 0.99; }, "beta2 applies to adam, not minibatch"},
        {"minibatch", [](FitOptions& o) { o.grad_tol = 1e-3; },
         "grad_tol applies to gd, variable_lr, steepest, conjugate_gradient and lbfgs, not minibatch"},
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
    test_conjugate_gradient_on_a_quadratic();
    test_monitor_hooks();
    test_divergence_restores_finite_weights();
    test_bad_options();
    test_options_that_do_not_apply();
    return report("test_training");
}
