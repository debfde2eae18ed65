// The fused path (fused_block.hpp) against the layer-by-layer path (propagation.hpp): the same
// bits for E and every gradient entry, for random small networks, every hidden θ, every (output
// θ, loss) pair, both types, block sizes around the chunk and pack widths, weights large enough
// to saturate tanh and logistic; and the Evaluator's choice between the two paths.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <tuple>
#include <vector>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

using namespace deltaprop;

#ifdef DELTAPROP_PACKS
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

/// The (output θ, loss) pairs that exist.
const std::vector<std::pair<Output, Loss>> pairs = {
    {Output::tanh, Loss::squared_error},     {Output::identity, Loss::squared_error},
    {Output::logistic, Loss::squared_error}, {Output::logistic, Loss::cross_entropy},
    {Output::softmax, Loss::cross_entropy}};
const Activation hidden_kinds[] = {Activation::tanh, Activation::logistic, Activation::relu,
                                   Activation::identity};

template <class T>
void check_against_layers(const std::vector<std::size_t>& dims, const Parts& parts, double scale,
                          std::uint64_t seed) {
    Network<T> net(dims, parts, seed);
    Random rng(seed + 1);
    for (std::size_t i = 0; i < net.n_weights(); ++i) net.data()[i] = T(scale * rng.normal());
    const Layout& layout = net.layout();
    const std::size_t max_b = 300, dL = layout.n_outputs();
    std::vector<T> x(max_b * layout.n_inputs()), y(max_b * dL);
    for (auto& v : x) v = T(rng.normal());
    for (std::size_t n = 0; n < max_b; ++n) {  // targets the loss takes
        T sum = 0;
        for (std::size_t k = 0; k < dL; ++k) {
            T& v = y[n * dL + k];
            v = parts.output == Output::softmax || net.loss() == Loss::cross_entropy
                    ? T(rng.uniform()) : T(2 * rng.uniform() - 1);
            sum += v;
        }
        if (parts.output == Output::softmax)
            for (std::size_t k = 0; k < dL; ++k) y[n * dL + k] /= sum;
    }
    Workspace<T> layers(layout, max_b);
    ChunkWorkspace<T> chunks(layout);
    for (std::size_t B : {1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 255, 256, 300}) {
        // the gradient sums start from a non-zero g, as a block's do after earlier blocks
        std::vector<T> g_layers(net.n_weights()), g_fused;
        for (auto& v : g_layers) v = T(rng.normal());
        g_fused = g_layers;
        forward(net, x.data(), B, layers);
        const double e_layers = backward(net, y.data(), B, layers);
        accumulate_gradient(net, B, layers, g_layers.data());
        const double e_fused = fused_block(net, x.data(), y.data(), B, chunks, g_fused.data());
        const bool same = e_layers == e_fused && same_bits(g_layers, g_fused);
        if (!same)
            std::fprintf(stderr, "%s output, %s, %zu layers, scale %g, B = %zu: E %.17g vs %.17g\n",
                         to_string(net.output()), to_string(net.loss()), dims.size() - 1, scale,
                         B, e_layers, e_fused);
        CHECK(same);
        // E alone, without a gradient
        forward(net, x.data(), B, layers);
        CHECK(block_error(net, y.data(), B, layers) ==
              fused_block(net, x.data(), y.data(), B, chunks, static_cast<T*>(nullptr)));
    }
}

template <class T>
void check_type() {
    Random rng(7);
    std::uint64_t seed = 100;
    const std::vector<std::vector<std::size_t>> fixed = {{2, 10, 1}, {1, 1}, {3, 1, 2}, {2, 5, 3, 1}};
    for (const auto& dims : fixed)
        for (const auto& [output, loss] : pairs)
            for (Activation hidden : hidden_kinds) {
                if (output == Output::softmax && dims.back() < 2) continue;
                const Parts parts{std::vector<Activation>(dims.size() - 2, hidden), output, loss};
                for (double scale : {0.1, 1.0, 30.0})
                    check_against_layers<T>(dims, parts, scale, ++seed);
            }
    for (int trial = 0; trial < 40; ++trial) {  // random small layouts, mixed θ
        std::vector<std::size_t> dims{1 + std::size_t(rng.uniform() * 4)};
        const std::size_t hidden = std::size_t(rng.uniform() * 3);
        Parts parts;
        for (std::size_t l = 0; l < hidden; ++l) {
            dims.push_back(1 + std::size_t(rng.uniform() * 6));
            parts.hidden.push_back(hidden_kinds[std::size_t(rng.uniform() * 4)]);
        }
        std::tie(parts.output, parts.loss) = pairs[std::size_t(rng.uniform() * pairs.size())];
        dims.push_back((parts.output == Output::softmax ? 2 : 1) + std::size_t(rng.uniform() * 3));
        check_against_layers<T>(dims, parts, 1.0, ++seed);
    }
}

#endif

int main() {
#ifdef DELTAPROP_PACKS
    check_type<double>();
    check_type<float>();
    // 2-10-1 takes the fused path where the CPU holds a pack in a register (AVX-512 for GCC's
    // x86-64 clones); elsewhere the layer-by-layer path, with the same bits.
    CHECK(fits_fused_path(Layout({2, 10, 1}), 256) == packs_fit_registers());
    CHECK(Evaluator<double>(Layout({2, 10, 1})).fused == packs_fit_registers());
    std::printf("packs fit registers: %s\n", packs_fit_registers() ? "yes" : "no");
#else
    std::printf("no vector types: the fused path is not compiled\n");
#endif
    // Which networks take the fused path: those whose block products all stay in the core's loops.
    CHECK(!fits_fused_path(Layout({256, 100, 10}), 256));
    CHECK(!fits_fused_path(Layout({2, 10, 10, 1}), 256));  // 10·10·256 > small_product_limit
    CHECK(Evaluator<double>(Layout({256, 100, 10})).fused == false);
    return report("test_fused_block");
}
