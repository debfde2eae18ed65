// Objectives: every full-batch method minimises a known quadratic given as a CallableObjective,
// with the penalty folded in as the Objective promises; and a run over a CallableObjective that
// wraps the evaluator gives the same bits as fit over the local objective.
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

const char* const full_batch_methods[] = {"gd", "variable_lr", "steepest", "conjugate_gradient",
                                          "lbfgs"};

/// E(w) = Σ a_i (w_i − c_i)² with its gradient; minimum 0 at w = c.
struct Quadratic {
    std::vector<double> a, c;
    double operator()(const double* w, double* g) const {
        double e = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            e += a[i] * (w[i] - c[i]) * (w[i] - c[i]);
            if (g) g[i] = 2 * a[i] * (w[i] - c[i]);
        }
        return e;
    }
};

/// `iterations` steps of a full-batch method from w over f, as fit's loop makes them.
template <class T>
Evaluation drive(FullBatchMethod<T>& method, Objective<T>& f, std::vector<T>& w,
                 std::size_t iterations) {
    std::vector<T> g(w.size());
    Evaluation at = f.value_and_gradient(w.data(), g.data());
    method.start(g);
    for (std::size_t it = 0; it < iterations; ++it)
        if (method.step(f, w.data(), g, at, true) == StepResult::stalled) break;
    return at;
}

void test_every_full_batch_method_minimises_a_quadratic() {
    const Quadratic q{{1.0, 0.5, 2.0, 0.8}, {0.3, -1.0, 2.0, 0.5}};
    for (const char* name : full_batch_methods) {
        CallableObjective<double> f(4, q);
        FitOptions o;
        o.method = name;
        o.lr = 0.2;
        std::vector<double> w(4, 0.0);
        const Evaluation at = drive(*make_full_batch_method<double>(o, 4), f, w, 400);
        if (!(at.error < 1e-12)) std::fprintf(stderr, "%s: E = %g\n", name, at.error);
        CHECK(at.error < 1e-12);
        CHECK(at.augmented == at.error);  // no penalty
        for (std::size_t i = 0; i < 4; ++i) CHECK(std::fabs(w[i] - q.c[i]) < 1e-5);
        CHECK(f.evaluations() > 0);
    }
    // conjugate gradients and L-BFGS on an n-dimensional quadratic: with inexact (Wolfe) line
    // searches not exact in n steps, but within a few times n
    for (const char* name : {"conjugate_gradient", "lbfgs"}) {
        CallableObjective<double> f(4, q);
        FitOptions o;
        o.method = name;
        std::vector<double> w(4, 0.0);
        CHECK(drive(*make_full_batch_method<double>(o, 4), f, w, 16).error < 1e-20);
    }
}

/// L-BFGS on an ill-conditioned convex quadratic, n = 20, condition number 100 (eigenvalues
/// spread geometrically from 1 to 100 in a random rotation): ‖∇E‖ < 1e-8 within 100 iterations.
void test_lbfgs_on_an_ill_conditioned_quadratic() {
    const std::size_t n = 20;
    Random rng(2);
    // A = Qᵀ diag(λ) Q with Q from Gram–Schmidt on random vectors
    std::vector<std::vector<double>> Q(n, std::vector<double>(n));
    for (std::size_t i = 0; i < n; ++i) {
        for (double& v : Q[i]) v = rng.normal();
        for (std::size_t j = 0; j < i; ++j) {
            double d = 0;
            for (std::size_t k = 0; k < n; ++k) d += Q[i][k] * Q[j][k];
            for (std::size_t k = 0; k < n; ++k) Q[i][k] -= d * Q[j][k];
        }
        double s = 0;
        for (double v : Q[i]) s += v * v;
        for (double& v : Q[i]) v /= std::sqrt(s);
    }
    std::vector<double> A(n * n, 0.0), b(n);
    for (std::size_t e = 0; e < n; ++e) {
        const double lambda = std::pow(100.0, double(e) / double(n - 1));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) A[i * n + j] += lambda * Q[e][i] * Q[e][j];
    }
    for (double& v : b) v = rng.normal();
    auto quadratic = [&](const double* w, double* g) {  // ½wᵀAw − bᵀw
        double e = 0;
        for (std::size_t i = 0; i < n; ++i) {
            double aw = 0;
            for (std::size_t j = 0; j < n; ++j) aw += A[i * n + j] * w[j];
            e += 0.5 * w[i] * aw - b[i] * w[i];
            if (g) g[i] = aw - b[i];
        }
        return e;
    };
    CallableObjective<double> f(n, quadratic);
    FitOptions o;
    o.method = "lbfgs";
    auto method = make_full_batch_method<double>(o, n);
    std::vector<double> w(n, 0.0), g(n);
    Evaluation at = f.value_and_gradient(w.data(), g.data());
    method->start(g);
    std::size_t it = 0;
    while (norm(g) >= 1e-8 && it < 100) {
        if (method->step(f, w.data(), g, at, true) == StepResult::stalled) break;
        ++it;
    }
    if (!(norm(g) < 1e-8)) std::fprintf(stderr, "lbfgs: |g| = %g after %zu iterations\n", norm(g), it);
    CHECK(norm(g) < 1e-8);
    CHECK(it <= 100);
}

/// With weight decay, E_aug = E + (λ/N) Σ w²: its minimum is at w_i = a_i c_i / (a_i + λ/N).
void test_the_penalty_is_folded_into_the_objective() {
    const Quadratic q{{1.0, 3.0}, {1.0, -2.0}};
    Regularizer decay;
    decay.penalty = Penalty::weight_decay;
    decay.lambda = 2.0;
    decay.n = 4;  // λ/N = 0.5
    CallableObjective<double> f(2, q, decay);
    FitOptions o;
    o.method = "conjugate_gradient";
    std::vector<double> w(2, 0.0);
    const Evaluation at = drive(*make_full_batch_method<double>(o, 2), f, w, 10);
    CHECK(std::fabs(w[0] - 1.0 / 1.5) < 1e-9);
    CHECK(std::fabs(w[1] - 3.0 * -2.0 / 3.5) < 1e-9);
    CHECK(at.error == q(w.data(), nullptr));
    CHECK(std::fabs(at.augmented - (at.error + 0.5 * (w[0] * w[0] + w[1] * w[1]))) < 1e-15);
}

void test_stochastic_methods_are_refused_an_objective() {
    for (const char* name : {"sgd", "minibatch", "adam"}) {
        FitOptions o;
        o.method = name;
        CHECK_THROWS(make_full_batch_method<double>(o, 3), std::invalid_argument,
                     "trains on points, not on an Objective");
    }
}

/// fit over the local objective and the method's steps over a CallableObjective wrapping the
/// evaluator of another copy of the network: the same weights, bit for bit.
template <class T>
void test_a_callable_around_the_evaluator_gives_fits_bits() {
    const std::size_t n = 200;
    Random rng(3);
    std::vector<T> x(n * 2), y(n);
    for (T& v : x) v = T(2 * rng.uniform() - 1);
    for (std::size_t i = 0; i < n; ++i) y[i] = x[2 * i] * x[2 * i + 1] > 0 ? T(1) : T(-1);
    const Data<T> data{x.data(), y.data(), n};
    for (const char* name : full_batch_methods) {
        for (const char* penalty : {"none", "weight_elimination"}) {
            FitOptions o;
            o.method = name;
            o.lr = 0.3;
            o.iterations = 12;
            o.penalty = penalty;
            o.lambda = penalty[0] == 'n' ? 0.0 : 0.05;
            Network<T> fitted({2, 5, 1}, Output::tanh, 7);
            fit(fitted, data, o);

            Network<T> other({2, 5, 1}, Output::tanh, 7);
            Evaluator<T> evaluator(other.layout());
            Regularizer r;
            r.penalty = penalty_from_string(penalty);
            r.lambda = o.lambda;
            r.n = n;
            CallableObjective<T> f(other.n_weights(), [&](const T* w, T* g) {
                other.assign(w);
                return g ? evaluator.error_and_gradient(other, data, g) : evaluator.error(other, data);
            }, r);
            std::vector<T> w = other.flat();
            drive(*make_full_batch_method<T>(o, w.size()), f, w, o.iterations);
            CHECK(w == fitted.flat());
        }
    }
}

int main() {
    test_every_full_batch_method_minimises_a_quadratic();
    test_the_penalty_is_folded_into_the_objective();
    test_lbfgs_on_an_ill_conditioned_quadratic();
    test_stochastic_methods_are_refused_an_objective();
    test_a_callable_around_the_evaluator_gives_fits_bits<double>();
    test_a_callable_around_the_evaluator_gives_fits_bits<float>();
    return report("test_objective");
}
