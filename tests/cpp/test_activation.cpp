// fast_tanh against std::tanh: within a few ulp everywhere, exactly ±1 in saturation, odd,
// and NaN in gives NaN out.
#include <cmath>
#include <cstdio>
#include <limits>

#include "check.hpp"
#include "deltaprop/activation.hpp"

template <class T>
double ulp_distance(T a, T b) {
    if (a == b) return 0;
    const T spacing = std::nextafter(std::fabs(b), std::numeric_limits<T>::infinity()) - std::fabs(b);
    return std::fabs(double(a) - double(b)) / double(spacing);
}

template <class T>
void check_range(const char* name, double max_ulp) {
    double worst = 0, worst_at = 0;
    // dense near 0, then wider: covers the linear region, the knee and saturation
    for (double s = -30; s <= 30; s += 1e-4) {
        for (double scale : {1.0, 1e-3, 1e-8}) {
            const T v = T(s * scale);
            const double d = ulp_distance(deltaprop::fast_tanh(v), T(std::tanh(v)));
            if (d > worst) worst = d, worst_at = double(v);
        }
    }
    std::printf("%s: worst %.2f ulp at s = %.17g\n", name, worst, worst_at);
    CHECK(worst <= max_ulp);
    CHECK(deltaprop::fast_tanh(T(40)) == T(1));
    CHECK(deltaprop::fast_tanh(T(-1e30)) == T(-1));
    CHECK(deltaprop::fast_tanh(std::numeric_limits<T>::infinity()) == T(1));
    CHECK(std::isnan(deltaprop::fast_tanh(std::numeric_limits<T>::quiet_NaN())));
    CHECK(deltaprop::fast_tanh(T(0)) == T(0));
    CHECK(std::signbit(deltaprop::fast_tanh(T(-0.0))));
    CHECK(deltaprop::fast_tanh(T(1e-300 > 0 ? 1e-30 : 0)) == T(1e-30));
}

int main() {
    check_range<double>("double", 4);
    check_range<float>("float", 4);
    return report("test_activation");
}
