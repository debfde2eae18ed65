// Backpropagation against central differences, the book's Example 7.1, and the promise that
// the thread count never changes a result.
#include <cmath>
#include <cstdio>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

template <class T>
struct Problem {
    std::vector<T> x, y;
    std::size_t n;
};

template <class T>
Problem<T> random_problem(const Layout& layout, std::size_t n, std::uint64_t seed) {
    Random rng(seed);
    Problem<T> p{{}, {}, n};
    for (std::size_t i = 0; i < n * layout.n_inputs(); ++i) p.x.push_back(T(rng.normal()));
    for (std::size_t i = 0; i < n * layout.n_outputs(); ++i) p.y.push_back(T(2 * rng.uniform() - 1));
    return p;
}

/// ||g − ĝ|| / ||g + ĝ|| between backprop and central differences with step delta.
template <class T>
double gradient_check(Network<T>& net, const Problem<T>& p, double delta) {
    Data<T> data{p.x.data(), p.y.data(), p.n};
    std::vector<T> g;
    error_and_gradient(net, data, g);
    double num = 0, den = 0;
    for (std::size_t i = 0; i < net.n_weights(); ++i) {
        const T saved = net.data()[i];
        net.data()[i] = T(saved + delta);
        const double ep = error(net, data);
        net.data()[i] = T(saved - delta);
        const double em = error(net, data);
        net.data()[i] = saved;
        const double numeric = (ep - em) / (2 * delta);
        num += (g[i] - numeric) * (g[i] - numeric);
        den += (g[i] + numeric) * (g[i] + numeric);
    }
    return den == 0 ? 0 : std::sqrt(num / den);
}

void test_finite_differences() {
    const std::vector<std::vector<std::size_t>> archs = {
        {1, 1}, {3, 2}, {2, 10, 1}, {4, 7, 3}, {5, 6, 7, 2}, {3, 4, 5, 6, 3}, {1, 2, 1, 1}};
    std::uint64_t seed = 1;
    for (const auto& dims : archs)
        for (Output out : {Output::tanh, Output::identity}) {
            Network<double> net(dims, out, seed);
            auto p = random_problem<double>(net.layout(), 37, seed++);
            const double rel = gradient_check(net, p, 1e-6);
            if (!(rel < 1e-7)) std::fprintf(stderr, "double arch %zu layers: rel %g\n", dims.size(), rel);
            CHECK(rel < 1e-7);
            Network<float> netf(dims, out, seed);
            auto pf = random_problem<float>(netf.layout(), 37, seed++);
            const double relf = gradient_check(netf, pf, 1e-2);
            if (!(relf < 2e-2)) std::fprintf(stderr, "float arch %zu layers: rel %g\n", dims.size(), relf);
            CHECK(relf < 2e-2);
        }
}

// e-Chapter 7, Example 7.1: network 1-2-1-1, x = 2, y = 1, tanh throughout.
void test_book_example() {
    Network<double> net({1, 2, 1, 1}, Output::tanh);
    const double w1[] = {0.1, 0.2, 0.3, 0.4}, w2[] = {0.2, 1, -3}, w3[] = {1, 2};
    std::copy(w1, w1 + 4, net.weights(1));
    std::copy(w2, w2 + 3, net.weights(2));
    std::copy(w3, w3 + 2, net.weights(3));
    const double x = 2, y = 1;
    Workspace<double> ws(net.layout(), 1);
    const double h = forward(net, &x, 1, ws)[0];
    CHECK_NEAR(h, -0.665761, 1e-6);
    backward(net, &y, 1, ws);
    CHECK_NEAR(ws.delta(3)[0], -1.854864, 1e-6);
    CHECK_NEAR(ws.delta(1)[0], -0.440838, 1e-6);
    CHECK_NEAR(ws.delta(1)[1], 0.875040, 1e-6);
    std::vector<double> g(net.n_weights(), 0.0);
    accumulate_gradient(net, 1, ws, g.data());
    const double* g3 = g.data() + net.layout().offset(3);
    CHECK_NEAR(g3[0], -1.854864, 1e-6);
    CHECK_NEAR(g3[1], 1.672245, 1e-6);
}

void test_thread_count_does_not_change_results() {
    Network<double> net({8, 40, 20, 3}, Output::identity, 5);
    auto p = random_problem<double>(net.layout(), 5000, 9);
    Data<double> data{p.x.data(), p.y.data(), p.n};
    std::vector<std::vector<double>> grads;
    std::vector<double> errors;
    for (std::size_t threads : {1, 2, 3, 5}) {
        set_num_threads(threads);
        std::vector<double> g;
        errors.push_back(error_and_gradient(net, data, g));
        grads.push_back(g);
    }
    for (std::size_t k = 1; k < grads.size(); ++k) {
        CHECK(errors[k] == errors[0]);
        CHECK(grads[k] == grads[0]);
    }
    set_num_threads(ThreadPool::default_threads());
}

void test_repeated_evaluations_give_the_same_bits_whatever_the_choice() {
    // Enough calls that the choice runs both one thread and all, whichever is faster here.
    Network<double> net({2, 10, 1}, Output::tanh, 3);
    auto p = random_problem<double>(net.layout(), 3000, 4);
    Data<double> data{p.x.data(), p.y.data(), p.n};
    set_num_threads(2);
    Evaluator<double> ev(net.layout());
    std::vector<double> first(net.n_weights()), g(net.n_weights());
    const double e0 = ev.error_and_gradient(net, data, first.data());
    for (int call = 0; call < 100; ++call) {
        CHECK(ev.error_and_gradient(net, data, g.data()) == e0);
        CHECK(g == first);
    }
    set_num_threads(ThreadPool::default_threads());
}

void test_gradient_descent_lowers_error() {
    Network<double> net({2, 5, 1}, Output::tanh, 3);
    auto p = random_problem<double>(net.layout(), 100, 4);
    Data<double> data{p.x.data(), p.y.data(), p.n};
    Evaluator<double> ev(net.layout());
    std::vector<double> g(net.n_weights());
    double previous = ev.error(net, data);
    for (int t = 0; t < 200; ++t) {
        gd_step(net, ev, data, 0.05, g.data());
        const double e = ev.error(net, data);
        CHECK(e < previous);
        previous = e;
    }
}

void test_bad_input() {
    CHECK_THROWS(Network<double>({3}, Output::tanh), std::invalid_argument, "at least two layers");
    CHECK_THROWS(Network<double>({3, 0, 1}, Output::tanh), std::invalid_argument, "dims[1] is 0");
    CHECK_THROWS(output_from_string("relu"), std::invalid_argument, "tanh");
    Network<double> a({2, 3, 1}, Output::tanh, 1), b({2, 4, 1}, Output::tanh, 1);
    Evaluator<double> ev(a.layout());
    std::vector<double> x(2), y(1);
    CHECK_THROWS(ev.error(b, Data<double>{x.data(), y.data(), 1}), std::invalid_argument,
                 "layout");
    CHECK_THROWS(ev.error(a, Data<double>{x.data(), y.data(), 0}), std::invalid_argument,
                 "empty data");
    CHECK_THROWS(ev.error(a, Data<double>{x.data(), y.data(), 1, 3, 1}), std::invalid_argument,
                 "x has 3 columns but the network has d0 = 2");
    CHECK_THROWS(ev.error(a, Data<double>{x.data(), y.data(), 1, 2, 2}), std::invalid_argument,
                 "y has 2 columns but the network has dL = 1");
    CHECK(ev.error(a, Data<double>{x.data(), y.data(), 1, 2, 1}) >= 0);
    CHECK_THROWS(Evaluator<double>(Layout{}), std::invalid_argument, "at least two layers");
    Workspace<double> small(a.layout(), 1);
    std::vector<double> x2(4);
    CHECK_THROWS(forward(a, x2.data(), 2, small), std::invalid_argument, "cannot hold 2 points");
    CHECK_THROWS(forward(b, x.data(), 1, small), std::invalid_argument, "another layout");
}

int main() {
    test_finite_differences();
    test_book_example();
    test_thread_count_does_not_change_results();
    test_repeated_evaluations_give_the_same_bits_whatever_the_choice();
    test_gradient_descent_lowers_error();
    test_bad_input();
    return report("test_gradient");
}
