// Time per epoch of the wide workloads of issue 6 in C++ alone (no Python), and where one
// thread's time goes inside a block. Usage:
//   epoch <workload> <threads> [float|double]
// with workload A (2-10-1, N = 7291, full-batch GD), C (256-100-10, N = 7291, full-batch GD),
// D (784-1024-1024-10, N = 8192, full-batch GD), E (256-100-10, N = 7291, mini-batches of 32) or
// W (784-4096-10, N = 8192, full-batch GD: one wide layer). Random data in [-1, 1] stand
// in for the pixels: the time does not depend on the values. Prints the least seconds per
// epoch of `fit` (the whole training loop) and of one error_and_gradient (C and D), then, for
// one block of the evaluator's size on one thread, the least time of each phase of
// propagation.hpp (the products, tanh, θ', the input transpose) summed to an epoch. A takes the
// fused path (fused_block.hpp), one kernel for all phases, so it has no such breakdown.
// Run under `perf record` to see the same from the other side.
#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <random>
#include <vector>

#include "deltaprop/deltaprop.hpp"
#include "timing.hpp"

using namespace deltaprop;
using bench::least_seconds;

namespace {

std::vector<std::size_t> dims_of(char workload) {
    switch (workload) {
        case 'A': return {2, 10, 1};
        case 'D': return {784, 1024, 1024, 10};
        case 'W': return {784, 4096, 10};
        default: return {256, 100, 10};
    }
}

template <class T>
void run(char workload, std::size_t threads) {
    const bool wide = workload == 'D' || workload == 'W';
    const std::vector<std::size_t> dims = dims_of(workload);
    const std::size_t n = wide ? 8192 : 7291;
    const Layout layout(dims);
    std::mt19937_64 rng(0);
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<T> x(n * dims.front()), y(n * dims.back());
    for (T& v : x) v = T(u(rng));
    for (T& v : y) v = u(rng) < 0 ? T(-1) : T(1);
    const Data<T> data{x.data(), y.data(), n};
    set_num_threads(threads);
    Network<T> net(dims, Output::tanh, 0);

    FitOptions o;
    o.method = workload == 'E' ? "minibatch" : "gd";
    o.lr = 0.01;
    const std::size_t batch = 32;
    if (workload == 'E') o.batch_size = batch;
    const std::size_t per_epoch = workload == 'E' ? n / batch : 1;
    const std::size_t epochs = wide ? 2 : workload == 'A' ? 2000 : 20;
    o.iterations = epochs * per_epoch;
    o.record_every = o.iterations;
    const int repeats = wide ? 3 : workload == 'A' ? 200 : 7;
    const double t_fit = least_seconds([&] { fit(net, data, o); }, repeats) / double(epochs);
    std::printf("%c %s %zu thread(s): fit %.3f ms/epoch", workload, sizeof(T) == 8 ? "double" : "float",
                threads, 1e3 * t_fit);
    if (workload != 'E') {
        Evaluator<T> ev(layout);
        std::vector<T> g(layout.n_weights());
        const double t_eg = least_seconds([&] { ev.error_and_gradient(net, data, g.data()); }, repeats);
        const double t_e = least_seconds([&] { ev.error(net, data); }, repeats);
        std::printf(", error_and_gradient %.3f ms, error %.3f ms", 1e3 * t_eg, 1e3 * t_e);
    }
    std::printf("\n");
    if (workload == 'A') return;  // the fused path: no phases to time apart

    // One block on this thread, phase by phase, scaled to the epoch's rows.
    const std::size_t B = workload == 'E' ? batch : Evaluator<T>::rows_per_block(layout);
    const double blocks = double(n) / double(B);
    Workspace<T> ws(layout, B);
    std::vector<T> g(layout.n_weights(), T(0));
    const std::size_t L = layout.n_layers(), d0 = layout.n_inputs();
    auto ms = [&](auto&& f) { return 1e3 * blocks * least_seconds(f, 9); };
    std::vector<std::uint64_t> first(B);
    for (std::size_t r = 0; r < B; ++r) first[r] = r;
    auto to_columns = [&] { gather_columns(layout, x.data(), first.data(), B, ws); };
    // The mini-batch step gathers its points into columns; a block of full-batch work leaves
    // them to BLAS as rows when its first layer is BLAS-sized.
    const bool gathered = workload == 'E';
    const double t_forward = gathered ? ms([&] { to_columns(), propagate(net, B, ws); })
                                      : ms([&] { forward(net, x.data(), B, ws); });
    const T* rows = ws.input_rows();
    const double t_transpose = rows ? 0.0 : ms(to_columns);
    const double t_backward = ms([&] { backward(net, y.data(), B, ws); });
    const FirstLayer layout1 = gathered ? FirstLayer::as_weights : FirstLayer::transposed;
    const double t_gradient = ms([&] { accumulate_gradient(net, B, ws, g.data(), layout1); });
    double t_tanh = 0, t_gemm_f = 0, t_gemm_b = 0, t_gemm_g = 0, t_prime = 0;
    for (std::size_t l = 1; l <= L; ++l) {
        const std::size_t di = layout.dim(l - 1), dl = layout.dim(l);
        std::vector<T> s(dl * B, T(0.5));
        t_tanh += ms([&] { tanh_in_place(s.data(), dl * B); });
        const bool by_rows = l == 1 && rows;
        t_gemm_f += ms([&] {
            gemm(Trans::yes, by_rows ? Trans::yes : Trans::no, dl, B, di, net.weights(l) + dl, dl,
                 by_rows ? rows : ws.x(l - 1), by_rows ? d0 : B, T(1), ws.x(l), B);
        });
        const T* x = by_rows ? rows : ws.x(l - 1);
        const std::size_t ldx = by_rows ? d0 : B;
        T* gl = g.data() + layout.offset(l) + dl;
        t_gemm_g += ms([&] {  // as accumulate_gradient computes it
            if (l == 1 && layout1 == FirstLayer::transposed)
                gemm(Trans::no, by_rows ? Trans::no : Trans::yes, dl, di, B, ws.delta(l), B, x, ldx,
                     T(1), gl, di);
            else
                gemm(by_rows ? Trans::yes : Trans::no, Trans::yes, di, dl, B, x, ldx, ws.delta(l), B,
                     T(1), gl, dl);
        });
        if (l < L) {
            const std::size_t dn = layout.dim(l + 1);
            t_gemm_b += ms([&] {
                gemm(Trans::no, Trans::no, dl, B, dn, net.weights(l + 1) + dn, dn, ws.delta(l + 1),
                     B, T(0), ws.delta(l), B);
            });
            T* dlt = ws.delta(l);
            const T* xl = ws.x(l);
            t_prime += ms([&] {
                for (std::size_t i = 0; i < dl * B; ++i) dlt[i] *= T(1) - xl[i] * xl[i];
            });
        }
    }
    std::printf("  one thread, B = %zu, ms per epoch: forward %.2f (transpose %.2f, gemm %.2f, "
                "tanh %.2f), backward %.2f (gemm %.2f, theta' %.2f), gradient %.2f (gemm %.2f)\n",
                B, t_forward, t_transpose, t_gemm_f, t_tanh, t_backward, t_gemm_b, t_prime,
                t_gradient, t_gemm_g);
}

}  // namespace

int main(int argc, char** argv) {
    return bench::workload_main(argc, argv, "ACDEW", [](char workload, std::size_t threads, auto type) {
        run<decltype(type)>(workload, threads);
    });
}
