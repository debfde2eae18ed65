// trace(): the book's Example 7.1 (Learning From Data, e-Chapter 7), a 1-2-1-1 tanh network at
// x = 2, y = 1, against the lecture's equations written out here one by one.
#include <cmath>
#include <vector>

#include "check.hpp"
#include "deltaprop/trace.hpp"

using namespace deltaprop;

int main() {
    Network<double> net({1, 2, 1, 1}, Output::tanh);
    const double W1[] = {0.1, 0.2, 0.3, 0.4}, W2[] = {0.2, 1, -3}, W3[] = {1, 2};
    std::copy(W1, W1 + 4, net.weights(1));
    std::copy(W2, W2 + 3, net.weights(2));
    std::copy(W3, W3 + 2, net.weights(3));
    const double x = 2, y = 1;
    const Trace<double> t = trace(net, &x, &y);

    // forward: s^(ℓ) = (W^(ℓ))ᵀ x^(ℓ-1), x^(ℓ) = [1; tanh(s^(ℓ))]
    const double s1[] = {0.1 + 0.3 * x, 0.2 + 0.4 * x};
    const double x1[] = {1, std::tanh(s1[0]), std::tanh(s1[1])};
    const double s2 = 0.2 + 1 * x1[1] - 3 * x1[2], x2 = std::tanh(s2);
    const double s3 = 1 + 2 * x2, x3 = std::tanh(s3);
    // backward: δ^(3) = 2(x^(3) − y)(1 − x^(3)²), δ^(ℓ) = (1 − x²) ⊗ [W^(ℓ+1) δ^(ℓ+1)] without row 0
    const double d3 = 2 * (x3 - y) * (1 - x3 * x3);
    const double d2 = (1 - x2 * x2) * 2 * d3;
    const double d1[] = {(1 - x1[1] * x1[1]) * 1 * d2, (1 - x1[2] * x1[2]) * -3 * d2};

    CHECK(t.x.size() == 4 && t.s.size() == 4 && t.delta.size() == 4);
    CHECK(t.s[0].empty() && t.delta[0].empty());
    CHECK(t.x[0] == std::vector<double>({1, 2}));
    CHECK(t.s[1].size() == 2 && t.x[1].size() == 3 && t.delta[1].size() == 2);
    CHECK(t.s[2].size() == 1 && t.x[2].size() == 2 && t.delta[2].size() == 1);
    CHECK(t.s[3].size() == 1 && t.x[3].size() == 1 && t.delta[3].size() == 1);  // no 1 in x^(L)
    const double tol = 1e-12;
    CHECK_NEAR(t.s[1][0], s1[0], tol);
    CHECK_NEAR(t.s[1][1], s1[1], tol);
    for (int i = 0; i < 3; ++i) CHECK_NEAR(t.x[1][i], x1[i], tol);
    CHECK_NEAR(t.s[2][0], s2, tol);
    CHECK(t.x[2][0] == 1);
    CHECK_NEAR(t.x[2][1], x2, tol);
    CHECK_NEAR(t.s[3][0], s3, tol);
    CHECK_NEAR(t.x[3][0], x3, tol);
    CHECK_NEAR(t.delta[3][0], d3, tol);
    CHECK_NEAR(t.delta[2][0], d2, tol);
    CHECK_NEAR(t.delta[1][0], d1[0], tol);
    CHECK_NEAR(t.delta[1][1], d1[1], tol);
    CHECK_NEAR(t.error, (x3 - y) * (x3 - y), tol);
    // the book's table, rounded to its two decimals
    CHECK_NEAR(t.x[1][1], 0.60, 0.005);
    CHECK_NEAR(t.x[1][2], 0.76, 0.005);
    CHECK_NEAR(t.s[2][0], -1.48, 0.005);
    CHECK_NEAR(t.x[2][1], -0.90, 0.005);
    CHECK_NEAR(t.s[3][0], -0.80, 0.005);
    CHECK_NEAR(t.x[3][0], -0.66, 0.01);  // the book rounds −0.6666 down
    CHECK_NEAR(t.delta[3][0], -1.85, 0.01);
    CHECK_NEAR(t.delta[2][0], -0.69, 0.005);
    CHECK_NEAR(t.delta[1][0], -0.44, 0.005);
    CHECK_NEAR(t.delta[1][1], 0.88, 0.01);

    // an identity output: x^(L) = s^(L), δ^(L) = 2(x^(L) − y)
    Network<double> reg({1, 2, 1, 1}, Output::identity);
    std::copy(net.data(), net.data() + net.n_weights(), reg.data());
    const Trace<double> r = trace(reg, &x, &y);
    CHECK_NEAR(r.x[3][0], s3, tol);
    CHECK_NEAR(r.delta[3][0], 2 * (s3 - y), tol);
    return report("test_trace");
}
