// The generator is specified bit for bit: these reference values must never change, on any
// platform or compiler (they pin the initial weights and SGD orders users rely on).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "check.hpp"
#include "deltaprop/random.hpp"

using deltaprop::Random;

int main() {
    Random a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) CHECK(a.next() == b.next());
    CHECK(Random(42).next() != c.next());

    // portable_log agrees with libm to within an ulp or so over the range the polar method uses
    double worst = 0;
    for (double x = 1e-12; x < 1.0; x *= 1.001) {
        const double d = std::fabs(Random::portable_log(x) - std::log(x)) / std::fabs(std::log(x));
        worst = d > worst ? d : worst;
    }
    std::printf("portable_log worst relative error %.3g\n", worst);
    CHECK(worst < 5e-16);

    // below(n) stays in range and reaches every value
    Random r(7);
    std::vector<int> seen(10, 0);
    for (int i = 0; i < 10000; ++i) {
        auto v = r.below(10);
        CHECK(v < 10);
        if (v < 10) ++seen[v];
    }
    for (int s : seen) CHECK(s > 800 && s < 1200);

    // normals: mean ~0, variance ~1
    Random g(1);
    double sum = 0, sq = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double z = g.normal();
        sum += z;
        sq += z * z;
    }
    CHECK(std::fabs(sum / n) < 0.01);
    CHECK(std::fabs(sq / n - 1) < 0.01);

    // Pinned reference values (xoshiro256** seeded by SplitMix64 from 12345).
    Random ref(12345);
    const std::uint64_t first = ref.next();
    std::printf("reference: next() = %llu\n", (unsigned long long)first);
    CHECK(first == 13720838825685603483ull);  // computed independently in Python
    return report("test_random");
}
