// deltaprop/gradient.hpp — the in-sample error and its gradient over a whole data set:
//     E_in = (1/N) Σ_n ‖h(x_n) − y_n‖²,      G^(ℓ) = ∂E_in/∂W^(ℓ) = (1/N) Σ_n x_n^(ℓ-1) (δ_n^(ℓ))ᵀ.
//
// The N rows are cut into blocks of a fixed number of rows. Block b is added into slot
// b mod P, blocks in increasing order, and the P slots are summed in slot order at the end. P and
// the block size depend only on the network, never on the number of threads, and a slot is only
// ever touched by one thread at a time, so the result is bit-for-bit the same for any thread
// count. Memory is P gradients plus one workspace per thread: it does not grow with N.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "deltaprop/data.hpp"
#include "deltaprop/fused_block.hpp"
#include "deltaprop/network.hpp"
#include "deltaprop/propagation.hpp"
#include "deltaprop/thread_pool.hpp"

namespace deltaprop {

/// Evaluates E_in and its gradient for networks of one layout, with buffers allocated once.
/// Not thread-safe: one Evaluator per concurrent caller.
template <class T>
class Evaluator {
public:
    static constexpr std::size_t max_slots = 8;  ///< partial sums combined at the end

    /// Rows per block, a function of the layout only (so results stay thread-independent).
    /// Small networks, whose layers all have d^(ℓ-1)·d^(ℓ) ≤ 108 (2-10-1, 2-10-10-1), use 128
    /// rows: their blocks run in the core's loops (128·108 multiply-adds stay within
    /// blas::small_product_limit) and take the fused path. There a block costs the reduction of
    /// its lane sums, a large share of a 2-10-1 epoch with 64-row blocks, while 256-row blocks
    /// split the course's N = 300 badly between two threads (256 + 44 rows): 128 measured best
    /// for both. Wider networks use 256 rows: short blocks share N out evenly between threads
    /// (N = 7291 in 1024-row blocks leaves 4 blocks to one thread and 3.1 to the other), and
    /// the block's rows are still in L2 when the gradient reads them again after the forward
    /// pass (measured faster than 1024 on workload C in both types and thread counts; wider
    /// networks time the same with 256, 512 or 1024 rows; see benchmarks/RESULTS.md).
    /// A layer of more than 1 MiB of weights takes 1024 rows instead, so that adding a
    /// block's G^(ℓ) += X Δᵀ into the partial sums, a pass over that memory, is spread over
    /// more rows (measured faster on workload D). Fewer where a block's workspace would pass
    /// 64 MiB.
    static std::size_t rows_per_block(const Layout& layout) {
        constexpr std::size_t small_rows = 128;
        if (block_products_stay_in_loops(layout, small_rows)) return small_rows;
        std::size_t per_row = layout.n_inputs(), widest = 0;
        for (std::size_t l = 1; l <= layout.n_layers(); ++l) {
            per_row += 2 * layout.dim(l);
            widest = std::max(widest, layout.dim(l - 1) * layout.dim(l));
        }
        const std::size_t budget = (std::size_t(64) << 20) / sizeof(T);
        if (per_row == 0) return 1;
        const std::size_t most = widest * sizeof(T) > (std::size_t(1) << 20) ? 1024 : 256;
        return std::max<std::size_t>(1, std::min(most, budget / per_row));
    }

    explicit Evaluator(const Layout& layout, ThreadPool& pool = default_pool())
        : layout_(layout),
          pool_(&pool),
          block_rows(rows_per_block(layout)),
          fused(fits_fused_path(layout, block_rows)) {
        if (layout.n_layers() == 0)
            throw std::invalid_argument("an evaluator needs a layout of at least two layers");
        blas::use_one_thread();
        // Fewer slots for huge networks, so the partial gradients stay within ~128 MiB.
        const std::size_t budget = (std::size_t(128) << 20) / sizeof(T);
        slots_ = std::max<std::size_t>(1, std::min(max_slots, budget / layout.n_weights()));
        check_allocation(slots_ * whole_lines<T>(layout.n_weights()), sizeof(T),
                         "the partial gradients");
        partial_e_.assign(slots_, 0.0);
    }

    const Layout& layout() const { return layout_; }

    /// Bytes of scratch held between calls (block workspaces and partial sums), which grow on
    /// first use to what the data and the thread count need: for callers that keep an
    /// evaluator and bound what it holds.
    std::size_t scratch_bytes() const {
        std::size_t bytes = partial_g_.size() * sizeof(T) + partial_e_.size() * sizeof(double);
        for (const auto& ws : workspaces_) bytes += ws.bytes();
        for (const auto& ws : chunk_workspaces_) bytes += ws.bytes();
        return bytes;
    }

    /// E_in of the network on the data.
    double error(const Network<T>& net, const Data<T>& data) { return run(net, data, nullptr); }

    /// E_in, and G^(1..L) written into g (n_weights entries, laid out like the weights).
    double error_and_gradient(const Network<T>& net, const Data<T>& data, T* g) {
        return run(net, data, g);
    }

    /// h(x_n) for each row into out (N × d^(L)).
    void predict(const Network<T>& net, const T* x, std::size_t n, T* out) {
        check_layout(net);
        const std::size_t d0 = layout_.n_inputs(), dL = layout_.n_outputs();
        const std::size_t n_blocks = (n + block_rows - 1) / block_rows;
        prepare_workspaces(std::min(n_blocks, threads_for(n)));
        pool_->run(  // a block per task, on the scratch of the thread that takes it
            n_blocks,
            [&](std::size_t b, std::size_t worker) {
                const std::size_t r0 = b * block_rows, B = std::min(block_rows, n - r0);
                const T* h = forward(net, x + r0 * d0, B, workspaces_[worker]);
                for (std::size_t j = 0; j < dL; ++j)  // columns → rows
                    for (std::size_t r = 0; r < B; ++r) out[(r0 + r) * dL + j] = h[j * B + r];
            },
            workspaces_.size());
    }

private:
    void check_layout(const Network<T>& net) const {
        if (net.layout() != layout_)
            throw std::invalid_argument("network does not match the evaluator's layout");
    }

    /// Threads worth using for n rows: small work stays on one thread, where handing work to
    /// another costs more than it saves. The unit of work is a chunk (64 points of 2-10-1 in
    /// float64, 128 in float32), so a few hundred points split unevenly: the course's N = 300
    /// is 5 float64 chunks, 3 for one thread and 2 for the other, and 2 threads measured no
    /// faster than one. From about 10⁵ of these flops both types gain (2-10-1 from N = 600 in
    /// float32 and N = 800 in float64).
    std::size_t threads_for(std::size_t n) const {
        const double flops = 6.0 * double(n) * double(layout_.n_weights());
        const double per_thread = 1.0e5;
        const std::size_t useful = std::size_t(flops / per_thread) + 1;
        return std::min(pool_->size(), useful);
    }

    void prepare_workspaces(std::size_t count) {
        count = std::max<std::size_t>(count, 1);
        while (workspaces_.size() < count) workspaces_.emplace_back(layout_, block_rows);
        workspaces_.resize(count);
    }
    void prepare_chunk_workspaces(std::size_t count) {
        count = std::max<std::size_t>(count, 1);
        while (chunk_workspaces_.size() < count) chunk_workspaces_.emplace_back(layout_);
        chunk_workspaces_.resize(count);
    }

    /// One block's Σ_n e_n, and with gs its gradient sums added into gs; task t's
    /// scratch. The fused path where the network fits it, else layer by layer: same bits.
    double block(const Network<T>& net, const T* xb, const T* yb, std::size_t B, std::size_t t,
                 T* gs) {
#ifdef DELTAPROP_PACKS
        if (fused) return fused_block(net, xb, yb, B, chunk_workspaces_[t], gs);
#endif
        Workspace<T>& ws = workspaces_[t];
        forward(net, xb, B, ws);
        if (!gs) return block_error(net, yb, B, ws);
        const double e = backward(net, yb, B, ws);
        accumulate_gradient(net, B, ws, gs, FirstLayer::transposed);
        return e;
    }

    double run(const Network<T>& net, const Data<T>& data, T* g) {
        check_layout(net);
        check_data(net, data);
        const std::size_t n = data.n, nw = layout_.n_weights();
        const std::size_t stride = whole_lines<T>(nw);  // slots on lines of their own
        const std::size_t d0 = layout_.n_inputs(), dL = layout_.n_outputs();
        const std::size_t n_blocks = (n + block_rows - 1) / block_rows;
        const std::size_t slots = std::min(slots_, n_blocks);
        const std::size_t most = std::min(slots, threads_for(n));
        if (fused)
            prepare_chunk_workspaces(most);
        else
            prepare_workspaces(most);
        if (n != timed_n_) {  // other work: the times of the last data do not apply
            timed_n_ = n;
            choice_[0].reset();
            choice_[1].reset();
        }
        ThreadChoice& choice = choice_[g ? 1 : 0];
        const std::size_t threads = choice.threads(most);
        const auto start = std::chrono::steady_clock::now();
        std::fill(partial_e_.begin(), partial_e_.end(), 0.0);
        if (g && partial_g_.size() < slots * stride)  // as many slots as the data fill, once
            allocate(partial_g_, slots * stride, T(0), "the partial gradients");
        // Task s is slot s: its blocks in order, on the scratch of whichever thread takes it.
        // Slots are taken one at a time by the threads that are free, so a thread that the
        // system deschedules holds up at most the slot it is in. A task zeroes its slot
        // itself: in parallel, where a large network's slots (15 MB each for workload D) took
        // a measurable share of an epoch to clear before the tasks started.
        pool_->run(
            slots,
            [&](std::size_t s, std::size_t worker) {
                T* gs = g ? partial_g_.data() + s * stride : nullptr;
                if (gs) std::fill(gs, gs + nw, T(0));
                double e = 0;
                for (std::size_t b = s; b < n_blocks; b += slots) {
                    const std::size_t r0 = b * block_rows, B = std::min(block_rows, n - r0);
                    e += block(net, data.x + r0 * d0, data.y + r0 * dL, B, worker, gs);
                }
                partial_e_[s] = e;
            },
            threads);
        double e = 0;
        for (std::size_t s = 0; s < slots; ++s) e += partial_e_[s];
        if (g) sum_slots(slots, stride, n, g, threads);
        choice.record(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        return e / double(n);
    }

    /// g = (Σ of the slots in slot order) / N, rows 1.. of G^(1) transposed back unless the
    /// path was fused (FirstLayer::transposed). One pass over the slots, its entries shared
    /// among the threads: each entry's sum is the same additions in the same order whoever
    /// computes it. (Summed into slot 0 one slot at a time on the calling thread, it was
    /// measurably slower on workload D, and serial.)
    void sum_slots(std::size_t slots, std::size_t stride, std::size_t n, T* g,
                   std::size_t threads) {
        const std::size_t nw = layout_.n_weights(), d0 = layout_.n_inputs(), d1 = layout_.dim(1);
        const T* slot = partial_g_.data();
        const T inv_n = T(1) / T(n);
        // Entries [0, first) and [first + d0·d1, nw) in place; G^(1)'s input rows [first, ...)
        // in place when fused, else transposed: g[first + i·d1 + j] from slot entry
        // first + j·d0 + i, eight inputs i at a time so that every line read is used whole.
        const std::size_t first = layout_.offset(1) + d1, rest = first + d0 * d1;
        constexpr std::size_t run = 64;  // entries summed together, so that the loops vectorise
        // out[k] = (Σ_s slot s's entry e + k) / N for k < count ≤ run, slots in order
        auto sum_run = [&](std::size_t e, std::size_t count, T* out) {
            T acc[run];
            for (std::size_t k = 0; k < count; ++k) acc[k] = slot[e + k];
            for (std::size_t s = 1; s < slots; ++s)
                for (std::size_t k = 0; k < count; ++k) acc[k] += slot[s * stride + e + k];
            for (std::size_t k = 0; k < count; ++k) out[k] = acc[k] * inv_n;
        };
        auto in_place = [&](std::size_t lo, std::size_t hi) {
            for (std::size_t e = lo; e < hi; e += run) sum_run(e, std::min(run, hi - e), g + e);
        };
        constexpr std::size_t rows_per_group = 8;
        const std::size_t groups = fused ? 0 : (d0 + rows_per_group - 1) / rows_per_group;
        // Handing a small network's few sums to another thread costs more than adding them.
        // Else a few shares a thread, taken by whichever thread is free (thread_pool.hpp).
        const std::size_t tasks = slots * nw >= (std::size_t(1) << 16) ? 4 * threads : 1;
        const auto task = [&](std::size_t t) {
            const auto share = [&](std::size_t count, std::size_t& lo, std::size_t& hi) {
                lo = count * t / tasks;
                hi = count * (t + 1) / tasks;
            };
            std::size_t lo, hi;
            if (fused) {
                share(nw, lo, hi);
                in_place(lo, hi);
                return;
            }
            share(first, lo, hi);
            in_place(lo, hi);
            share(nw - rest, lo, hi);
            in_place(rest + lo, rest + hi);
            share(groups, lo, hi);
            for (std::size_t grp = lo; grp < hi; ++grp) {
                const std::size_t i0 = grp * rows_per_group;
                const std::size_t width = std::min(d0 - i0, rows_per_group);
                T column[rows_per_group];
                for (std::size_t j = 0; j < d1; ++j) {
                    sum_run(first + j * d0 + i0, width, column);
                    for (std::size_t i = 0; i < width; ++i)
                        g[first + (i0 + i) * d1 + j] = column[i];
                }
            }
        };
        if (tasks == 1)
            task(0);  // without the pool's hand-off
        else
            pool_->run(tasks, task, threads);
    }

    Layout layout_;
    ThreadPool* pool_;

public:
    const std::size_t block_rows;  ///< rows per block (rows_per_block of the layout)
    const bool fused;              ///< whether blocks take the fused path (fused_block.hpp)

private:
    std::size_t slots_ = 1;
    // slots × whole_lines(n_weights); G^(1)'s rows 1.. transposed unless fused
    AlignedVector<T> partial_g_;
    std::vector<double> partial_e_;
    std::vector<Workspace<T>> workspaces_;
    std::vector<ChunkWorkspace<T>> chunk_workspaces_;
    // One thread or all, timed apart for E_in alone ([0]) and with G ([1]) on data of timed_n_ rows.
    ThreadChoice choice_[2];
    std::size_t timed_n_ = 0;
};

/// E_in of a network on a data set (convenience; allocates an Evaluator).
template <class T>
double error(const Network<T>& net, const Data<T>& data) {
    Evaluator<T> ev(net.layout());
    return ev.error(net, data);
}

/// E_in and its gradient G^(1..L), returned flat in the weights' layout (convenience).
template <class T>
double error_and_gradient(const Network<T>& net, const Data<T>& data, std::vector<T>& g) {
    Evaluator<T> ev(net.layout());
    g.assign(net.n_weights(), T(0));
    return ev.error_and_gradient(net, data, g.data());
}

}  // namespace deltaprop
