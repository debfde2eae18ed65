// deltaprop/random.hpp — the project's own random numbers, specified bit for bit.
//
// std::mt19937 is portable but std::normal_distribution and std::uniform_int_distribution are
// not: each standard library draws differently. So a seed gives the same initial weights and
// the same SGD order on every platform and compiler, everything here is spelled out:
//   * SplitMix64 expands the 64-bit seed into the state of
//   * xoshiro256** (Blackman & Vigna), the generator;
//   * uniform doubles take the top 53 bits; bounded integers reject then take a remainder;
//   * normals use Marsaglia's polar method with a logarithm computed here from +, −, ×, ÷ only
//     (IEEE-754 makes those exact to the last bit everywhere; libm's log is not), with FMA
//     contraction switched off.
#pragma once

#include <cmath>
#include <cstdint>
#include <utility>

// The normal draw must not let the compiler fuse a*b + c into one FMA instruction where the
// target has it (a different rounding, so other bits on other machines).
#if defined(__clang__)
#define DELTAPROP_NO_CONTRACT
#define DELTAPROP_NO_CONTRACT_BODY _Pragma("clang fp contract(off)")
#elif defined(__GNUC__)
#define DELTAPROP_NO_CONTRACT __attribute__((optimize("fp-contract=off")))
#define DELTAPROP_NO_CONTRACT_BODY
#else
#define DELTAPROP_NO_CONTRACT
#define DELTAPROP_NO_CONTRACT_BODY
#endif

namespace deltaprop {

class Random {
public:
    explicit Random(std::uint64_t seed) {
        for (auto& word : s_) word = splitmix64(seed);
    }

    /// The next 64 raw bits of xoshiro256**.
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform in [0, 1), a multiple of 2^-53.
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }

    /// Uniform integer in [0, n), without bias: draws below 2^64 mod n are rejected, so the
    /// accepted range is a whole multiple of n, then r mod n. n > 0.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
        std::uint64_t r = next();
        while (r < threshold) r = next();
        return r % n;
    }

    /// Standard normal, Marsaglia's polar method (the second value of each pair is kept).
    DELTAPROP_NO_CONTRACT double normal() {
        DELTAPROP_NO_CONTRACT_BODY
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double factor = std::sqrt(-2.0 * portable_log(s) / s);  // sqrt is exact in IEEE
        spare_ = v * factor;
        has_spare_ = true;
        return u * factor;
    }

    /// Shuffle [first, first + n) in place: Fisher–Yates, drawing with below().
    template <class Index>
    void shuffle(Index* first, std::uint64_t n) {
        for (std::uint64_t i = n; i > 1; --i) std::swap(first[i - 1], first[below(i)]);
    }

    /// ln(x) for finite x > 0 from basic arithmetic only: x = m·2^e with m in [√½, √2),
    /// ln m = 2 atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.1716, summed as an odd series to
    /// below 1 ulp, most significant term last. Every operation is a correctly rounded IEEE
    /// operation in a fixed order, so the result is the same bits on every platform.
    DELTAPROP_NO_CONTRACT static double portable_log(double x) {
        DELTAPROP_NO_CONTRACT_BODY
        int e = 0;
        double m = std::frexp(x, &e);  // exact: m in [0.5, 1)
        if (m < 0.70710678118654752440) {
            m *= 2.0;
            e -= 1;
        }
        const double t = (m - 1.0) / (m + 1.0);
        const double t2 = t * t;
        double series = 0.0;
        for (int k = 27; k >= 1; k -= 2) series = series * t2 + 1.0 / k;
        constexpr double ln2_hi = 0.693147180369123816490;  // ln 2 split so e·ln2_hi is exact
        constexpr double ln2_lo = 1.90821492927058770002e-10;
        return (e * ln2_hi) + (2.0 * t * series + e * ln2_lo);
    }

private:
    static std::uint64_t splitmix64(std::uint64_t& state) {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::uint64_t s_[4];
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace deltaprop
