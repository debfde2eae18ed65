// benchmarks/cpp/timing.hpp — what the C++ benchmark programs epoch and parts share: the least
// time of repeated calls, and a main() for `<program> <workload> <threads> [float|double]`.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace bench {

using Clock = std::chrono::steady_clock;

/// Seconds of one call of f.
template <class F>
double seconds(F&& f) {
    const auto t0 = Clock::now();
    f();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The least time of `repeats` calls after a warm-up: on a shared machine the least disturbed.
template <class F>
double least_seconds(F&& f, int repeats) {
    f();  // warm-up
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) best = std::min(best, seconds(f));
    return best;
}

/// Reads `<workload> <threads> [float|double]`, the workload one of the letters in `workloads`,
/// and calls run(workload, threads, T{}) with T float or double (the default); 2 and a usage
/// line on bad arguments.
template <class Run>
int workload_main(int argc, char** argv, const char* workloads, Run run) {
    if (argc < 3 || std::strlen(argv[1]) != 1 || !std::strchr(workloads, argv[1][0])) {
        std::string letters;
        for (const char* w = workloads; *w; ++w) letters += std::string(letters.empty() ? "" : "|") + *w;
        std::fprintf(stderr, "usage: %s %s threads [float|double]\n", argv[0], letters.c_str());
        return 2;
    }
    const std::size_t threads = std::size_t(std::atoi(argv[2]));
    if (argc > 3 && std::string(argv[3]) == "float")
        run(argv[1][0], threads, float{});
    else
        run(argv[1][0], threads, double{});
    return 0;
}

}  // namespace bench
