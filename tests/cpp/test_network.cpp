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
    return report("test_network");
}
