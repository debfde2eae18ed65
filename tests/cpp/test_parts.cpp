// The parts of issue 18 on their own: fast_exp's accuracy and its same bits in scalar code and
// packs; the logistic, relu and softmax θ (values, θ', NaN, the kink, overflow); the
// cross-entropy losses at signals of ±1000; the names, the pairs and their errors; He-scaled
// starting weights for relu layers.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

namespace {

/// |a − b| in units in the last place of b (b normal).
template <class T>
double ulps(T a, long double exact) {
    const long double ulp = std::ldexp(1.0L, std::ilogb(exact) - std::numeric_limits<T>::digits + 1);
    return double(std::fabs((long double)a - exact) / ulp);
}

template <class T>
void exp_accuracy(T lo, T hi, double max_ulps) {
    Random rng(11);
    double worst = 0;
    for (int i = 0; i < 200000; ++i) {
        const T x = T(lo + (hi - lo) * rng.uniform());
        worst = std::max(worst, ulps(fast_exp(x), std::exp((long double)x)));
    }
    std::printf("fast_exp<%s> on [%g, %g]: worst %.2f ulp\n", sizeof(T) == 8 ? "double" : "float",
                double(lo), double(hi), worst);
    CHECK(worst <= max_ulps);
    CHECK(fast_exp(T(0)) == T(1));
    CHECK(std::isnan(fast_exp(std::numeric_limits<T>::quiet_NaN())));
    // Clamped, never ∞ or 0: e^-∞ is e^lowest > 0, e^∞ is finite.
    CHECK(fast_exp(-std::numeric_limits<T>::infinity()) > T(0));
    CHECK(std::isfinite(fast_exp(std::numeric_limits<T>::infinity())));
}

#ifdef DELTAPROP_PACKS
template <class T>
void same_bits_in_packs() {
    constexpr std::size_t V = kernels::lanes<T>;
    Random rng(5);
    for (int trial = 0; trial < 1000; ++trial) {
        Pack<T> s;
        for (std::size_t k = 0; k < V; ++k) s[k] = T(40 * rng.normal());
        const Pack<T> e = fast_exp(s), l = Logistic::value(s), r = Relu::value(s);
        for (std::size_t k = 0; k < V; ++k) {
            const T a = fast_exp(s[k]), b = Logistic::value(s[k]), c = Relu::value(s[k]);
            CHECK(std::memcmp(&a, &e[k], sizeof(T)) == 0);
            CHECK(std::memcmp(&b, &l[k], sizeof(T)) == 0);
            CHECK(std::memcmp(&c, &r[k], sizeof(T)) == 0);
        }
    }
}
#endif

template <class T>
void activations() {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    // logistic: 1/(1 + e^-s), within a few ulp; θ' = x(1 − x); saturates to exactly 1 and to
    // a tiny positive value, never NaN.
    for (double s : {-30.0, -3.0, -0.5, 0.0, 0.25, 2.0, 15.0}) {
        const T x = Logistic::value(T(s));
        const long double exact = 1 / (1 + std::exp(-(long double)T(s)));
        CHECK(ulps(x, exact) <= 4);
        CHECK(Logistic::derivative(x) == std::fma(-x, x, x));
    }
    CHECK(Logistic::value(T(1000)) == T(1));
    CHECK(Logistic::value(T(-1000)) > T(0) && Logistic::value(T(-1000)) < T(1e-30));
    CHECK(std::isnan(Logistic::value(nan)));
    // relu: max(s, 0), θ' = 1 for s > 0 and 0 at and below the kink; NaN passes.
    CHECK(Relu::value(T(-2)) == T(0) && Relu::value(T(3)) == T(3) && Relu::value(T(0)) == T(0));
    CHECK(Relu::derivative(Relu::value(T(0))) == T(0));
    CHECK(Relu::derivative(Relu::value(T(1e-30))) == T(1));
    CHECK(Relu::derivative(Relu::value(T(-5))) == T(0));
    CHECK(std::isnan(Relu::value(nan)));
    // softmax over columns: positive, rows of each point summing to 1, the same at any stride,
    // and finite at ±1000 (the largest signal subtracted first).
    const std::size_t d = 3, n = 5;
    std::vector<T> s = {T(1000), T(-1000), T(0.5), T(2), T(1),      // output 1 of 5 points
                        T(-1000), T(1000), T(0.5), T(1), T(1),      // output 2
                        T(0), T(0), T(0.5), T(-3), T(1)};           // output 3
    std::vector<T> wide(d * 7, T(0));  // the same points at stride 7
    for (std::size_t j = 0; j < d; ++j)
        for (std::size_t p = 0; p < n; ++p) wide[j * 7 + p] = s[j * n + p];
    Softmax::columns(s.data(), d, n, n);
    Softmax::columns(wide.data(), d, 7, n);
    for (std::size_t p = 0; p < n; ++p) {
        long double sum = 0;
        for (std::size_t j = 0; j < d; ++j) {
            CHECK(s[j * n + p] >= T(0) && std::isfinite(s[j * n + p]));
            CHECK(s[j * n + p] == wide[j * 7 + p]);
            sum += s[j * n + p];
        }
        CHECK(std::fabs(double(sum) - 1) <= 4 * std::numeric_limits<T>::epsilon());
    }
    CHECK(s[0] == T(1) && s[n] < T(1e-30));  // point 0: all on output 1 (e^-2000 clamped)
    CHECK(s[2] == s[n + 2] && s[2] == s[2 * n + 2]);  // point 2: equal signals
}

template <class T>
void losses() {
    // Softmax cross-entropy from the signals: e = lse(s) − s_c for a one-hot y; δ = h − y.
    const T s[3] = {T(1000), T(-1000), T(0)};
    T h[3] = {s[0], s[1], s[2]};
    Softmax::columns(h, 3, 1, 1);
    const T y[3] = {T(0), T(1), T(0)};  // the class whose signal is −1000
    T delta[3];
    const T e = SoftmaxCrossEntropy::point(s, h, 1, y, 1, 3, delta);
    CHECK(std::isfinite(e));
    CHECK_NEAR(e, 2000.0, 1e-12 * 2000);
    CHECK(delta[0] == T(1) && delta[1] == T(-1) && delta[2] == h[2]);
    // Logistic cross-entropy: softplus(s) − y·s, exact-ish at ±1000 and targets 0 and 1.
    for (double sv : {-1000.0, 1000.0})
        for (double yv : {0.0, 1.0}) {
            const T x = Logistic::value(T(sv));
            const T term = LogisticCrossEntropy::add_error(T(0), T(sv), x, T(yv));
            const double exact = std::max(sv, 0.0) - yv * sv;  // + ln(1 + e^-1000) ≈ 0
            CHECK(std::isfinite(term));
            CHECK_NEAR(term, exact, 1e-12 * 1000);
            CHECK(LogisticCrossEntropy::delta<Logistic>(T(sv), x, T(yv)) == x - T(yv));
        }
    CHECK_NEAR(LogisticCrossEntropy::add_error(T(0), T(0), T(0.5), T(0.5)), std::log(2.0), 1e-6);
    // The targets each loss takes.
    const T probabilities[4] = {T(0.25), T(0.75), T(1), T(0)};
    SoftmaxCrossEntropy::check_targets(probabilities, 2, 2);
    const T negative[2] = {T(1.5), T(-0.5)}, short_row[2] = {T(0.5), T(0.25)};
    CHECK_THROWS(SoftmaxCrossEntropy::check_targets(negative, 1, 2), std::invalid_argument,
                 "y[0, 1] is -0.5");
    CHECK_THROWS(SoftmaxCrossEntropy::check_targets(short_row, 1, 2), std::invalid_argument,
                 "row 0 of y sums to 0.75, not 1");
    const T outside[3] = {T(0), T(1), T(1.5)};
    CHECK_THROWS(LogisticCrossEntropy::check_targets(outside, 3, 1), std::invalid_argument,
                 "must lie in [0, 1]");
}

void names_and_pairs() {
    CHECK(activation_names(true) == (std::vector<std::string>{"tanh", "logistic", "relu", "identity"}));
    CHECK(activation_names(false) == (std::vector<std::string>{"tanh", "logistic", "identity", "softmax"}));
    CHECK(loss_names() == (std::vector<std::string>{"squared_error", "cross_entropy"}));
    for (int i = 0; i < int(Activation::count); ++i)
        CHECK(activation_from_string(to_string(Activation(i)), has_role(Activation(i), true)) ==
              Activation(i));
    CHECK_THROWS(activation_from_string("softmax", true), std::invalid_argument,
                 "activation must be one of \"tanh\", \"logistic\", \"relu\", \"identity\", got \"softmax\"");
    CHECK_THROWS(output_from_string("relu"), std::invalid_argument, "output must be one of");
    CHECK_THROWS(loss_from_string("hinge"), std::invalid_argument,
                 "loss must be one of \"squared_error\", \"cross_entropy\", got \"hinge\"");
    CHECK(pair_list() == "tanh + squared_error, logistic + squared_error, logistic + cross_entropy, "
                         "identity + squared_error, softmax + cross_entropy");
    using Net = Network<double>;
    CHECK_THROWS(Net({2, 3, 1}, Parts{{}, Output::tanh, Loss::cross_entropy}), std::invalid_argument,
                 "output \"tanh\" with loss \"cross_entropy\" is not a pair deltaprop has; the pairs are");
    CHECK_THROWS(Net({2, 3, 2}, Parts{{}, Output::softmax, Loss::squared_error}), std::invalid_argument,
                 "is not a pair");
    CHECK_THROWS(Net({2, 3, 1}, Parts{{}, Output::softmax, {}}), std::invalid_argument,
                 "a softmax output needs at least 2 units");
    CHECK_THROWS(Net({2, 3, 3, 1}, Parts{{Activation::relu}, Output::tanh, {}}), std::invalid_argument,
                 "the network has 2 hidden layers, 1 activation was given");
    CHECK_THROWS(Net({2, 3, 1}, Parts{{Activation::softmax}, Output::tanh, {}}), std::invalid_argument,
                 "activation of hidden layer 1 must be one of");
    CHECK_THROWS(Net({2, 3, 1}, Parts{{}, Activation::relu, {}}), std::invalid_argument,
                 "output must be one of");
    const Net softmax({2, 3, 2}, Parts{{}, Output::softmax, {}});
    CHECK(softmax.loss() == Loss::cross_entropy && softmax.keeps_output_signal());
    const Net lecture({2, 3, 1}, Output::tanh);
    CHECK(lecture.loss() == Loss::squared_error && !lecture.keeps_output_signal() &&
          lecture.activation(1) == Activation::tanh);
}

/// He scaling: a relu layer's weights are √2 times those of a tanh layer from the same draws;
/// the other layers' are unchanged (so the lecture's networks keep their starting weights).
void he_scaling() {
    const Network<double> tanh_net({4, 5, 3, 2}, Output::identity, 9);
    const Network<double> relu_net({4, 5, 3, 2}, Parts{{Activation::relu, Activation::logistic},
                                                       Output::identity, {}}, 9);
    for (std::size_t l = 1; l <= 3; ++l)
        for (std::size_t k = 0; k < tanh_net.layout().size(l); ++k) {
            const double a = tanh_net.weights(l)[k], b = relu_net.weights(l)[k];
            if (l == 1)
                CHECK_NEAR(b, std::sqrt(2.0) * a, 1e-15 * std::fabs(b));
            else
                CHECK(a == b);
        }
}

}  // namespace

int main() {
    exp_accuracy<double>(-700, 700, 2.0);
    exp_accuracy<double>(-1, 1, 1.0);
    exp_accuracy<float>(-85, 85, 2.0);
#ifdef DELTAPROP_PACKS
    same_bits_in_packs<double>();
    same_bits_in_packs<float>();
#endif
    activations<double>();
    activations<float>();
    losses<double>();
    losses<float>();
    names_and_pairs();
    he_scaling();
    return report("test_parts");
}
