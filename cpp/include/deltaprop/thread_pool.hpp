// deltaprop/thread_pool.hpp — a small persistent pool of worker threads.
//
// Training calls the pool thousands of times a second, so the threads are started once and
// parked on a condition variable between calls. Waking a parked thread takes several
// microseconds, as long as a whole small epoch's share of work, so both sides first spin for a
// short while (spin_time) on the atomic they wait for: back-to-back calls, as in a training
// loop, then never sleep. run(n, task) calls task(0..n-1) spread over the
// workers and the calling thread, and returns when all are done. What a task computes must not
// depend on which thread runs it: the callers give each task its own output slot and combine
// the slots in a fixed order, so results are the same for any number of threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace deltaprop {

class ThreadPool {
public:
    /// A pool that runs tasks on n_threads threads in all, the caller's included.
    explicit ThreadPool(std::size_t n_threads = default_threads()) { resize(n_threads); }
    ~ThreadPool() { stop(); }
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    static std::size_t default_threads() {
        const unsigned n = std::thread::hardware_concurrency();
        return n == 0 ? 1 : n;
    }

    std::size_t size() const { return size_.load(); }

    /// Change the number of threads (≥ 1). Not while a run() is in progress.
    void resize(std::size_t n_threads) {
        std::lock_guard<std::mutex> run_lock(run_mutex_);
        stop();
        n_threads = std::max<std::size_t>(1, n_threads);
        stopping_.store(false);
        for (std::size_t i = 1; i < n_threads; ++i) workers_.emplace_back([this] { work(); });
        size_.store(n_threads);
    }

    /// Call task(i) for i in [0, n), using at most max_threads threads. Blocks until all are
    /// done; rethrows the first exception a task threw (the other tasks still finish).
    void run(std::size_t n, const std::function<void(std::size_t)>& task,
             std::size_t max_threads = std::size_t(-1)) {
        if (n == 0) return;
        std::lock_guard<std::mutex> run_lock(run_mutex_);  // one run at a time per pool
        const std::size_t helpers = std::min({workers_.size(), n - 1, max_threads - 1});
        if (helpers == 0) {
            for (std::size_t i = 0; i < n; ++i) task(i);
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            task_ = &task;
            n_tasks_ = n;
            next_.store(0);
            error_ = nullptr;
            helpers_wanted_ = helpers;
            helpers_busy_.store(helpers);
            generation_.fetch_add(1);
        }
        wake_.notify_all();
        drain();
        spin_until([this] { return helpers_busy_.load() == 0; });
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [this] { return helpers_busy_.load() == 0; });
        task_ = nullptr;
        if (error_) std::rethrow_exception(error_);
    }

private:
    /// How long a thread spins before it parks (see the top of the file).
    static constexpr std::chrono::microseconds spin_time{100};

    /// Spins until done() or spin_time has passed.
    template <class Done>
    static void spin_until(Done done) {
        const auto deadline = std::chrono::steady_clock::now() + spin_time;
        for (unsigned i = 1;; ++i) {
            if (done()) return;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
            __builtin_ia32_pause();  // tells the core a spin loop is running
#endif
            if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) return;
        }
    }

    void stop() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_.store(true);
        }
        wake_.notify_all();
        for (auto& t : workers_) t.join();
        workers_.clear();
    }

    void drain() {
        for (;;) {
            const std::size_t i = next_.fetch_add(1);
            if (i >= n_tasks_) return;
            try {
                (*task_)(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
        }
    }

    void work() {
        std::size_t seen = 0;
        for (;;) {
            spin_until([&] { return stopping_.load() || generation_.load() != seen; });
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] {
                    return stopping_.load() || (generation_.load() != seen && helpers_wanted_ > 0);
                });
                if (stopping_.load()) return;
                seen = generation_.load();
                --helpers_wanted_;
            }
            drain();
            {
                std::lock_guard<std::mutex> lock(mutex_);
                helpers_busy_.fetch_sub(1);
            }
            done_.notify_one();
        }
    }

    std::vector<std::thread> workers_;
    std::atomic<std::size_t> size_{1};  // read without the lock by callers sizing their work
    std::mutex run_mutex_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(std::size_t)>* task_ = nullptr;
    std::size_t n_tasks_ = 0;
    std::atomic<std::size_t> next_{0};
    std::exception_ptr error_;
    // Written under mutex_; atomic so that the spinning side can read them without it.
    std::atomic<std::size_t> generation_{0};
    std::atomic<std::size_t> helpers_busy_{0};
    std::atomic<bool> stopping_{false};
    std::size_t helpers_wanted_ = 0;
};

/// The pool shared by all networks of the process; set_num_threads resizes it.
inline ThreadPool& default_pool() {
    static ThreadPool pool;
    return pool;
}
inline void set_num_threads(std::size_t n) { default_pool().resize(n); }
inline std::size_t get_num_threads() { return default_pool().size(); }

}  // namespace deltaprop
