// train_xor.cpp — deltaprop embedded in a C++ program: the lecture's network learns XOR.
//
// The data are N noisy copies of the four corners (±1, ±1), labelled y = +1 when the two signs
// differ and −1 when they agree: XOR in ±1, which no single perceptron can separate but a
// 2-5-1 tanh network can. The program
//   1. checks one entry of the backpropagation gradient, ∂E_in/∂W^(1)_ij, against the central
//      difference (E_in(W_ij + Δ) − E_in(W_ij − Δ)) / 2Δ,
//   2. runs batch gradient descent W(t+1) = W(t) − η ∇E_in(W(t)), printing E_in as it falls,
// and exits with status 1 if the check fails or E_in did not fall.
#include <cmath>
#include <cstdio>
#include <vector>

#include "deltaprop/deltaprop.hpp"

int main() {
    using deltaprop::Network;
    using deltaprop::Output;

    // --- the data: XOR in ±1, with Gaussian noise of σ = 0.25 around each corner ----------
    const std::size_t N = 200;
    deltaprop::Random rng(2024);
    std::vector<double> X(N * 2), y(N);  // row-major: row n is x_n = (x_n1, x_n2)
    for (std::size_t n = 0; n < N; ++n) {
        const double c1 = rng.uniform() < 0.5 ? -1.0 : 1.0, c2 = rng.uniform() < 0.5 ? -1.0 : 1.0;
        X[2 * n] = c1 + 0.25 * rng.normal();
        X[2 * n + 1] = c2 + 0.25 * rng.normal();
        y[n] = c1 == c2 ? -1.0 : 1.0;
    }
    const deltaprop::Data<double> data{X.data(), y.data(), N};

    // --- the network: d(0) = 2 inputs, d(1) = 5 tanh units, d(2) = 1 tanh output -----------
    Network<double> net({2, 5, 1}, Output::tanh, /*seed=*/1);
    deltaprop::Evaluator<double> evaluator(net.layout());  // buffers allocated once, here
    std::vector<double> G(net.n_weights());                // G^(1), G^(2), laid out like W

    // --- 1. backpropagation against a central difference, for W^(1)_ij with i = 2, j = 3 ---
    const std::size_t l = 1, i = 2, j = 3;
    evaluator.error_and_gradient(net, data, G.data());
    const double backprop = G[net.layout().offset(l) + i * net.layout().dim(l) + (j - 1)];
    const double delta = 1e-6, w = net.w(l, i, j);
    net.w(l, i, j) = w + delta;
    const double e_plus = evaluator.error(net, data);
    net.w(l, i, j) = w - delta;
    const double e_minus = evaluator.error(net, data);
    net.w(l, i, j) = w;
    const double numeric = (e_plus - e_minus) / (2 * delta);
    const double relative = std::fabs(backprop - numeric) / std::fmax(std::fabs(numeric), 1e-12);
    const bool gradient_ok = relative < 1e-6;
    std::printf("dE_in/dW(%zu)_%zu%zu: backprop %.10f, central difference %.10f, relative %.1e  %s\n",
                l, i, j, backprop, numeric, relative, gradient_ok ? "ok" : "FAILED");

    // --- 2. batch gradient descent --------------------------------------------------------
    const double eta = 0.1;
    const int steps = 2000;
    double e_first = 0, e = 0;
    for (int t = 0; t <= steps; ++t) {
        e = t < steps ? deltaprop::gd_step(net, evaluator, data, eta, G.data())  // E_in(W(t))
                      : evaluator.error(net, data);
        if (t == 0) e_first = e;
        if (t % 250 == 0) std::printf("t = %4d   E_in = %.6f\n", t, e);
    }

    std::vector<double> h(N);
    evaluator.predict(net, X.data(), N, h.data());
    std::size_t wrong = 0;
    for (std::size_t n = 0; n < N; ++n) wrong += (h[n] > 0 ? 1.0 : -1.0) != y[n];
    std::printf("classification error sign(h(x)) != y: %zu of %zu\n", wrong, N);

    const bool fell = e < 0.5 * e_first;
    if (!fell) std::printf("FAILED: E_in did not fall (%.6f -> %.6f)\n", e_first, e);
    return gradient_ok && fell ? 0 : 1;
}
