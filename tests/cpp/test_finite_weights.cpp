// Weights that are NaN or infinite before training are the caller's error, reported as such by
// fit, gd_step and sgd_epoch (std::invalid_argument naming the weight), not as a divergence.
#include <cmath>
#include <limits>
#include <vector>

#include "check.hpp"
#include "deltaprop/sgd.hpp"
#include "deltaprop/training.hpp"

using namespace deltaprop;

int main() {
    const std::vector<double> X = {-1, -1, -1, 1, 1, -1, 1, 1}, y = {-1, 1, 1, -1};
    const Data<double> data{X.data(), y.data(), 4};
    Network<double> net({2, 3, 1}, Output::tanh, 1);
    net.w(2, 3, 1) = std::numeric_limits<double>::quiet_NaN();  // W^(2) row 3, column 0 (0-based)
    const std::vector<double> before = net.flat();
    const char* named = "W^(2)[3, 0] (layer 2, row 3, column 0, counted from 0) is NaN";

    FitOptions o;
    o.iterations = 5;
    CHECK_THROWS(fit(net, data, o), std::invalid_argument, named);
    Evaluator<double> ev(net.layout());
    std::vector<double> g(net.n_weights());
    CHECK_THROWS(gd_step(net, ev, data, 0.1, g.data()), std::invalid_argument, named);
    CHECK_THROWS(sgd_epoch(net, data, 0.1, 0), std::invalid_argument, named);
    // nothing changed (NaN compares unequal: compare the finite entries and the NaN's place)
    for (std::size_t k = 0; k < net.n_weights(); ++k)
        CHECK(net.flat()[k] == before[k] || (std::isnan(before[k]) && std::isnan(net.flat()[k])));

    net.w(2, 3, 1) = std::numeric_limits<double>::infinity();
    CHECK_THROWS(fit(net, data, o), std::invalid_argument, "W^(2)[3, 0] (layer 2, row 3, column 0, counted from 0) is +inf");
    net.w(2, 3, 1) = 0.5;  // finite again: training runs
    fit(net, data, o);
    CHECK(net.finite());
    return report("test_finite_weights");
}
