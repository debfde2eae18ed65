// The workloads of benchmarks/run.py as whole `fit` calls in C++, with no Python in the way, for
// comparing two versions of the headers (benchmarks/compare_headers.py compiles this file
// against each and runs the two programs in turns). Usage:
//   fit_workloads <workload> <float|double> <threads> <repeats>
// workload: A (2-10-1 GD, N = 7291), A300 (the same on N = 300), B (2-10-1 SGD, one point per
// update), C (256-100-10 GD, N = 7291), E (256-100-10, mini-batches of 32). Random data in
// [-1, 1] with ±1 targets stand in for the digits: the time does not depend on the values.
// Prints the least nanoseconds per unit (an epoch; for B one update) over `repeats` timed fit
// calls after a warm-up, and the final E_in, which must agree between the two builds to the
// last bit (a redesign keeps the numbers). With repeats = 0 it runs one fit and prints only
// E_in: the run to count instructions of under callgrind.
// Compiles against the FitOptions of before the architecture redesign (issue 16: an enum
// Method) and after it (a method name), so the old headers can be measured by the same source.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;
using Clock = std::chrono::steady_clock;

namespace {

struct Workload {
    std::vector<std::size_t> dims;
    std::size_t n;
    const char* method;   // gd, sgd or minibatch
    std::size_t units;    // epochs (B: updates) per timed fit
    std::size_t per_unit; // iterations per unit
};

Workload workload(const std::string& id) {
    if (id == "A") return {{2, 10, 1}, 7291, "gd", 200, 1};
    if (id == "A300") return {{2, 10, 1}, 300, "gd", 2000, 1};
    if (id == "B") return {{2, 10, 1}, 7291, "sgd", 72910, 1};
    if (id == "C") return {{256, 100, 10}, 7291, "gd", 10, 1};
    if (id == "E") return {{256, 100, 10}, 7291, "minibatch", 2, 7291 / 32};
    std::fprintf(stderr, "unknown workload %s (A, A300, B, C, E)\n", id.c_str());
    std::exit(2);
}

// FitOptions before the redesign (no fit_options.hpp): an enum Method and a plain batch_size.
#if __has_include("deltaprop/fit_options.hpp")
void set_method(FitOptions& o, const char* name) { o.method = name; }
void set_batch(FitOptions& o, std::size_t b) { o.batch_size.emplace(b); }
#else
void set_method(FitOptions& o, const char* name) { o.method = method_from_string(name); }
void set_batch(FitOptions& o, std::size_t b) { o.batch_size = b; }
#endif

template <class T>
void run(const Workload& w, std::size_t threads, int repeats) {
    std::mt19937_64 rng(0);
    std::uniform_real_distribution<double> u(-1, 1);
    const std::size_t d0 = w.dims.front(), dL = w.dims.back();
    std::vector<T> x(w.n * d0), y(w.n * dL);
    for (T& v : x) v = T(u(rng));
    for (T& v : y) v = u(rng) < 0 ? T(-1) : T(1);
    const Data<T> data{x.data(), y.data(), w.n};
    set_num_threads(threads);
    FitOptions o;
    set_method(o, w.method);
    if (std::string(w.method) == "minibatch") set_batch(o, 32);
    o.lr = 0.01;
    o.iterations = w.units * w.per_unit;
    o.record_every = o.iterations;
    double best = 1e300, error = 0;
    for (int r = -1; r < repeats; ++r) {  // r = -1: the warm-up (or the one run)
        Network<T> net(w.dims, Output::tanh, 0);
        const auto t0 = Clock::now();
        const History h = fit(net, data, o);
        const double t = std::chrono::duration<double>(Clock::now() - t0).count();
        if (r >= 0) best = std::min(best, t);
        error = h.error.back();
    }
    if (repeats > 0) std::printf("%.6g ", 1e9 * best / double(w.units));
    std::printf("%.17g\n", error);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s A|A300|B|C|E float|double threads repeats\n", argv[0]);
        return 2;
    }
    const Workload w = workload(argv[1]);
    const std::size_t threads = std::size_t(std::atoi(argv[3]));
    const int repeats = std::atoi(argv[4]);
    if (std::string(argv[2]) == "float")
        run<float>(w, threads, repeats);
    else
        run<double>(w, threads, repeats);
}
