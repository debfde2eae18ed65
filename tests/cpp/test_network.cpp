// The weight layout of the lecture: W^(l) is (d^(l-1)+1) × d^(l), row 0 the biases, one flat
// buffer; seeded initialisation is reproducible and scaled by the fan-in.
#include <cmath>
#include <vector>

#include "check.hpp"
#include "deltaprop/network.hpp"

using namespace deltaprop;

int main() {
    Network<double> net({2, 10, 1}, Output::tanh, 1);
    CHECK(net.n_layers() == 2);
    CHECK(net.layout().size(1) == 3 * 10);
    CHECK(net.layout().size(2) == 11 * 1);
    CHECK(net.n_weights() == 41);
    CHECK(net.layout().offset(2) == 30);
    net.w(1, 0, 1) = 5.0;  // bias of unit 1 in layer 1
    CHECK(net.weights(1)[0] == 5.0);
    net.w(1, 2, 10) = 7.0;  // last row, last column
    CHECK(net.weights(1)[29] == 7.0);

    Network<double> a({3, 50, 2}, Output::identity, 99), b({3, 50, 2}, Output::identity, 99);
    CHECK(a.flat() == b.flat());
    Network<double> c({3, 50, 2}, Output::identity, 100);
    CHECK(a.flat() != c.flat());
    // σ of layer 2 is 1/sqrt(51): the sample standard deviation is close to it
    double sq = 0;
    for (std::size_t i = 0; i < a.layout().size(2); ++i) sq += a.weights(2)[i] * a.weights(2)[i];
    const double sd = std::sqrt(sq / double(a.layout().size(2)));
    CHECK(std::fabs(sd - 1 / std::sqrt(51.0)) < 0.05);

    Network<float> f({3, 50, 2}, Output::identity, 99);
    for (std::size_t i = 0; i < f.n_weights(); ++i) CHECK(f.data()[i] == float(a.data()[i]));

    CHECK_THROWS(Network<double>({2, std::size_t(1) << 40, 1}, Output::tanh), std::invalid_argument,
                 "absurdly large");
    CHECK_THROWS(Network<double>({60000, 60000, 1}, Output::tanh), std::invalid_argument,
                 "too large");
    // at(): the same entries as w(), each index checked against its range
    CHECK(&net.at(1, 0, 1) == &net.w(1, 0, 1));
    CHECK(&net.at(1, 2, 10) == &net.weights(1)[29]);
    CHECK(&net.at(2, 10, 1) == &net.weights(2)[10]);
    const Network<double>& cnet = net;
    CHECK(cnet.at(1, 2, 10) == 7.0);
    CHECK_THROWS(net.at(0, 0, 1), std::out_of_range, "layer l = 0 is outside 1..2");
    CHECK_THROWS(net.at(3, 0, 1), std::out_of_range, "layer l = 3 is outside 1..2");
    CHECK_THROWS(net.at(1, 3, 1), std::out_of_range, "row i = 3 of W^(1) is outside 0..2");
    CHECK_THROWS(net.at(1, 0, 0), std::out_of_range, "column j = 0 of W^(1) is outside 1..10");
    CHECK_THROWS(cnet.at(2, 0, 2), std::out_of_range, "column j = 2 of W^(2) is outside 1..1");
    CHECK_THROWS(cnet.at(2, 11, 1), std::out_of_range, "row i = 11 of W^(2) is outside 0..10");

    // check_finite_weights names the first weight that is not finite, in 0-based indices
    check_finite_weights(net);  // finite: no throw
    net.weights(2)[2 * 1 + 0] = std::nan("");  // W^(2) row 2, column 0
    CHECK_THROWS(check_finite_weights(net), std::invalid_argument,
                 "W^(2)[2, 0] (layer 2, row 2, column 0, counted from 0) is NaN");
    net.weights(1)[0 * 10 + 4] = -INFINITY;  // an earlier layer is named first
    CHECK_THROWS(check_finite_weights(net), std::invalid_argument,
                 "W^(1)[0, 4] (layer 1, row 0 (the biases), column 4, counted from 0) is -inf");
    return report("test_network");
}
