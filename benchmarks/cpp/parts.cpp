// Where issue 18's parts spend their time on workloads C and E, in C++ alone. Usage:
//   parts <workload> <threads> [float|double]
// with workload C (256-100-10, N = 7291, full-batch GD) or E (the same, mini-batches of 32).
// Random data in [-1, 1] stand in for the pixels (±1 targets; one-hot for softmax).
//
// First `fit` per epoch for each variant (tanh, relu and logistic hidden layers with a tanh
// output and squared error; tanh hidden with softmax and cross-entropy), the variants taking
// turns round by round: the least time of each, and the median over the rounds of its time over
// tanh's in the same round. Then, for one block of the path's size on one thread, the steps that
// differ between the parts, as the per-layer path runs them (propagation.hpp), scaled to an
// epoch: θ of the hidden layer (activate_layer), its θ' (times_hidden_derivative), θ of the
// output layer, and E with Δ^(L) from the loss (output_layer). What a variant adds to tanh's
// epoch should be what its steps add to tanh's steps.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "deltaprop/deltaprop.hpp"
#include "timing.hpp"

using namespace deltaprop;
using bench::least_seconds;
using bench::seconds;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct Variant {
    const char* name;
    Activation hidden;
    Activation output;
};
const Variant variants[] = {{"tanh", Activation::tanh, Activation::tanh},
                            {"relu", Activation::relu, Activation::tanh},
                            {"logistic", Activation::logistic, Activation::tanh},
                            {"softmax", Activation::tanh, Activation::softmax}};
constexpr std::size_t n_variants = sizeof(variants) / sizeof(variants[0]);

template <class T>
void run(char workload, std::size_t threads) {
    const std::vector<std::size_t> dims{256, 100, 10};
    const std::size_t n = 7291, d0 = dims.front(), d1 = dims[1], dL = dims.back();
    const Layout layout(dims);
    std::mt19937_64 rng(0);
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<T> x(n * d0), y_pm(n * dL, T(-1)), y_hot(n * dL, T(0));
    for (T& v : x) v = T(u(rng));
    for (std::size_t r = 0; r < n; ++r) {
        const std::size_t k = rng() % dL;
        y_pm[r * dL + k] = T(1);
        y_hot[r * dL + k] = T(1);
    }
    set_num_threads(threads);

    FitOptions o;
    o.method = workload == 'E' ? "minibatch" : "gd";
    o.lr = workload == 'E' ? 0.01 : 0.1;
    const std::size_t batch = 32;
    if (workload == 'E') o.batch_size = batch;
    const std::size_t per_epoch = workload == 'E' ? (n + batch - 1) / batch : 1;
    const std::size_t epochs = 10;
    o.iterations = epochs * per_epoch;
    o.record_every = o.iterations;
    std::vector<Network<T>> nets;
    std::vector<Data<T>> data;
    for (const Variant& v : variants) {
        nets.emplace_back(dims, Parts{{v.hidden}, v.output, {}}, 0);
        data.push_back(Data<T>{x.data(), v.output == Activation::softmax ? y_hot.data() : y_pm.data(), n});
    }
    const int rounds = 9;
    std::vector<std::vector<double>> t(n_variants), ratio(n_variants);
    for (std::size_t i = 0; i < n_variants; ++i) fit(nets[i], data[i], o);  // warm-up
    for (int r = 0; r < rounds; ++r)
        for (std::size_t i = 0; i < n_variants; ++i) {
            t[i].push_back(seconds([&] { fit(nets[i], data[i], o); }) / double(epochs));
            if (i) ratio[i].push_back(t[i].back() / t[0].back());
        }
    std::printf("%c %s %zu thread(s), fit ms per epoch (least of %d rounds; median time / tanh's):\n",
                workload, sizeof(T) == 8 ? "double" : "float", threads, rounds);
    for (std::size_t i = 0; i < n_variants; ++i) {
        std::printf("  %-9s %8.3f", variants[i].name, 1e3 * *std::min_element(t[i].begin(), t[i].end()));
        if (i) std::printf("   %.3f×", median(ratio[i]));
        std::printf("\n");
    }

    // One block on this thread, step by step, scaled to the epoch's rows.
    const std::size_t B = workload == 'E' ? batch : Evaluator<T>::rows_per_block(layout);
    const double blocks = double(n) / double(B);
    auto ms = [&](auto&& f) { return 1e3 * blocks * least_seconds(f, 21); };
    std::vector<T> s1(d1 * B), x1(d1 * B), d1v(d1 * B), sL(dL * B), xL(dL * B), dLv(dL * B);
    std::uniform_real_distribution<double> signal(-3, 3);
    for (T& v : s1) v = T(signal(rng));
    for (T& v : sL) v = T(signal(rng));
    std::printf("  one thread, B = %zu, ms per epoch:\n", B);
    for (const Variant& v : variants) {
        double hidden = 0, prime = 0;
        if (v.output == Activation::tanh || v.hidden != Activation::tanh) {
            hidden = ms([&] {
                std::copy(s1.begin(), s1.end(), x1.begin());
                activate_layer(v.hidden, x1.data(), d1, B);
            });
            std::fill(d1v.begin(), d1v.end(), T(0.5));
            prime = ms([&] { times_hidden_derivative(v.hidden, d1 * B, x1.data(), d1v.data()); });
        }
        const T* y = v.output == Activation::softmax ? y_hot.data() : y_pm.data();
        const Loss loss = default_loss(v.output);
        const double out = ms([&] {
            std::copy(sL.begin(), sL.end(), xL.begin());
            activate_layer(v.output, xL.data(), dL, B);
        });
        const double error = ms([&] {
            output_layer(v.output, loss, true, sL.data(), xL.data(), y, dL, B, dLv.data());
        });
        if (v.output == Activation::tanh && v.hidden != Activation::tanh)
            std::printf("    %-9s hidden θ %.3f (copy included), θ' %.3f\n", v.name, hidden, prime);
        else if (v.output == Activation::tanh)
            std::printf("    %-9s hidden θ %.3f (copy included), θ' %.3f, output θ %.3f, E and Δ^(L) %.3f\n",
                        v.name, hidden, prime, out, error);
        else
            std::printf("    %-9s output θ %.3f (copy included), E and Δ^(L) %.3f\n", v.name, out, error);
    }
    const double copy = ms([&] { std::copy(s1.begin(), s1.end(), x1.begin()); });
    std::printf("    (the copy of a hidden layer's signals alone: %.3f)\n", copy);
}

}  // namespace

int main(int argc, char** argv) {
    return bench::workload_main(argc, argv, "CE", [](char workload, std::size_t threads, auto type) {
        run<decltype(type)>(workload, threads);
    });
}
