// Shapes and error cases of the C++ API as an embedding program uses it: W^(ℓ) is
// (d^(ℓ-1)+1) × d^(ℓ) with row 0 the biases and w(ℓ, i, j) the book's W^(ℓ)_ij; G^(ℓ) sits where
// W^(ℓ) sits; predict writes N × d^(L) rows across block boundaries; and calls on mismatched or
// empty input throw std::invalid_argument with a message naming the problem, changing nothing.
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

/// Inputs and targets of n rows for a layout, deterministic.
struct Rows {
    std::vector<double> x, y;
    std::size_t n;
    Rows(const Layout& layout, std::size_t n_rows, std::uint64_t seed) : n(n_rows) {
        Random rng(seed);
        for (std::size_t k = 0; k < n * layout.n_inputs(); ++k) x.push_back(rng.normal());
        for (std::size_t k = 0; k < n * layout.n_outputs(); ++k) y.push_back(2 * rng.uniform() - 1);
    }
    Data<double> data() const { return {x.data(), y.data(), n}; }
};

/// The layout of every W^(ℓ): sizes, offsets back to back, and the book's indices.
void test_weight_layout() {
    const std::vector<std::size_t> dims = {3, 4, 2, 5};
    Network<double> net(dims, Output::identity, 7);
    std::size_t expected_offset = 0;
    for (std::size_t l = 1; l <= net.n_layers(); ++l) {
        CHECK(net.layout().offset(l) == expected_offset);
        CHECK(net.layout().size(l) == (dims[l - 1] + 1) * dims[l]);
        CHECK(net.weights(l) == net.data() + expected_offset);
        expected_offset += net.layout().size(l);
        // w(ℓ, i, j), i = 0..d(ℓ-1), j = 1..d(ℓ): row i, column j - 1 of a row-major matrix
        for (std::size_t i = 0; i <= dims[l - 1]; ++i)
            for (std::size_t j = 1; j <= dims[l]; ++j)
                CHECK(&net.w(l, i, j) == net.weights(l) + i * dims[l] + (j - 1));
    }
    CHECK(net.n_weights() == expected_offset);
    CHECK(net.flat().size() == net.n_weights());
    CHECK(net.layout().n_inputs() == 3 && net.layout().n_outputs() == 5);
    CHECK(net.layout().max_dim() == 5);
}

/// Row 0 is the bias: with identity output and one layer, h(x) = W_01 + W_11 x_1 + W_21 x_2.
void test_bias_is_row_zero() {
    Network<double> net({2, 1}, Output::identity);
    net.w(1, 0, 1) = 0.5;
    net.w(1, 1, 1) = 2;
    net.w(1, 2, 1) = -3;
    const std::vector<double> x = {1, 1, 0, 0, -1, 2};
    std::vector<double> h(3);
    Evaluator<double> ev(net.layout());
    ev.predict(net, x.data(), 3, h.data());
    CHECK(h[0] == 0.5 + 2 - 3);
    CHECK(h[1] == 0.5);
    CHECK(h[2] == 0.5 - 2 - 6);
}

/// G^(ℓ)_ij sits at the index of W^(ℓ)_ij: checked against a central difference of that weight.
void test_gradient_has_the_shape_of_the_weights() {
    Network<double> net({3, 4, 2}, Output::tanh, 3);
    const Rows rows(net.layout(), 50, 4);
    std::vector<double> g;
    error_and_gradient(net, rows.data(), g);
    CHECK(g.size() == net.n_weights());
    const double delta = 1e-6;
    for (std::size_t l = 1; l <= net.n_layers(); ++l)
        for (std::size_t i = 0; i <= net.layout().dim(l - 1); ++i)
            for (std::size_t j = 1; j <= net.layout().dim(l); ++j) {
                const double w = net.w(l, i, j);
                net.w(l, i, j) = w + delta;
                const double plus = error(net, rows.data());
                net.w(l, i, j) = w - delta;
                const double minus = error(net, rows.data());
                net.w(l, i, j) = w;
                const double numeric = (plus - minus) / (2 * delta);
                const double backprop = g[net.layout().offset(l) + i * net.layout().dim(l) + j - 1];
                CHECK_NEAR(backprop, numeric, 1e-8);
            }
}

/// predict gives N × d(L) rows, row-major, equal to forward on each point alone (to rounding),
/// across the evaluator's row blocks; the float network agrees with the double one to float precision.
void test_predict_rows() {
    Network<double> net({4, 6, 3}, Output::tanh, 11);
    Evaluator<double> ev(net.layout());
    const std::size_t n = ev.block_rows * 2 + 17;
    const Rows rows(net.layout(), n, 12);
    std::vector<double> h(n * 3, std::nan(""));
    ev.predict(net, rows.x.data(), n, h.data());
    Workspace<double> ws(net.layout(), 1);
    for (std::size_t r = 0; r < n; r += 37) {
        const double* one = forward(net, rows.x.data() + r * 4, 1, ws);
        // The same bits: no contraction, and the same operations in any block.
        for (std::size_t j = 0; j < 3; ++j) CHECK(h[r * 3 + j] == one[j]);
    }
    for (double v : h) CHECK(std::isfinite(v));

    Network<float> netf(net.dims(), Output::tanh, 11);
    std::vector<float> xf(rows.x.begin(), rows.x.end()), hf(n * 3);
    Evaluator<float> evf(netf.layout());
    evf.predict(netf, xf.data(), n, hf.data());
    for (std::size_t k = 0; k < n * 3; ++k) CHECK_NEAR(hf[k], h[k], 1e-5);
}

/// Bad dimensions are refused when the network is made.
void test_bad_dims() {
    CHECK_THROWS(Network<double>({}, Output::tanh), std::invalid_argument, "at least two layers");
    CHECK_THROWS(Network<float>({5}, Output::tanh), std::invalid_argument, "got 1");
    CHECK_THROWS(Network<double>({2, 3, 0}, Output::identity), std::invalid_argument,
                 "dims[2] is 0");
    CHECK_THROWS(Layout({0, 1}), std::invalid_argument, "dims[0] is 0");
    CHECK_THROWS(output_from_string("Tanh"), std::invalid_argument, "got \"Tanh\"");
    CHECK(output_from_string("identity") == Output::identity);
}

/// A network of another layout, or empty data, is refused by every evaluation entry point,
/// and the weights are left as they were.
void test_mismatch_and_empty_data() {
    Network<double> net({2, 3, 1}, Output::tanh, 1), other({2, 4, 1}, Output::tanh, 1),
        wider({3, 3, 1}, Output::tanh, 1);
    const std::vector<double> before = net.flat(), other_before = other.flat();
    const Rows rows(net.layout(), 10, 2);
    Evaluator<double> ev(net.layout());
    std::vector<double> g(net.n_weights()), h(10);

    CHECK_THROWS(ev.error(other, rows.data()), std::invalid_argument, "layout");
    CHECK_THROWS(ev.error_and_gradient(wider, rows.data(), g.data()), std::invalid_argument,
                 "layout");
    CHECK_THROWS(ev.predict(other, rows.x.data(), 10, h.data()), std::invalid_argument, "layout");
    CHECK_THROWS(gd_step(other, ev, rows.data(), 0.1, g.data()), std::invalid_argument, "layout");
    CHECK(other.flat() == other_before);

    const Data<double> empty{rows.x.data(), rows.y.data(), 0};
    CHECK_THROWS(ev.error(net, empty), std::invalid_argument, "empty data");
    CHECK_THROWS(gd_step(net, ev, empty, 0.1, g.data()), std::invalid_argument, "empty data");
    CHECK_THROWS(sgd_epoch(net, empty, 0.1, 5), std::invalid_argument, "empty data");
    CHECK_THROWS(error(net, Data<double>{nullptr, rows.y.data(), 10}), std::invalid_argument,
                 "null");
    CHECK_THROWS(ev.error(net, Data<double>{rows.x.data(), nullptr, 10}), std::invalid_argument,
                 "null");
    CHECK(net.flat() == before);

    // After the refusals the evaluator still works, and gives what a fresh one gives.
    Evaluator<double> fresh(net.layout());
    CHECK(ev.error(net, rows.data()) == fresh.error(net, rows.data()));
}

int main() {
    test_weight_layout();
    test_bias_is_row_zero();
    test_gradient_has_the_shape_of_the_weights();
    test_predict_rows();
    test_bad_dims();
    test_mismatch_and_empty_data();
    return report("test_shapes");
}
