// deltaprop/thread_pool.hpp — a small persistent pool of worker threads.
//
// Training calls the pool thousands of times a second, so the threads are started once and
// parked on a condition variable between calls. Waking a parked thread takes several
// microseconds, as long as a whole small epoch's share of work, so a worker first spins for a
// short while (spin_time) on the atomic it waits for: back-to-back calls, as in a training
// loop, then never sleep.
//
// run(n, task) calls task(i, worker) for i in 0..n-1, each i once, on the calling thread and
// on those workers that arrive while work is left; worker (0 for the caller, 1.. for helpers)
// is unique among the threads of one run, so it can index per-thread scratch. What a task
// computes must not depend on which thread runs it: the callers give each task its own output
// slot and combine the slots in a fixed order, so results are the same for any number of
// threads.
//
// The machine may be shared (another process busy on a core, a build): a thread may then be
// descheduled for milliseconds, dozens of small epochs. So nothing waits for a worker that is
// not running: the tasks are taken one at a time from a counter, by whoever is free, and the
// caller takes all that no worker has taken; a run closes when its last task is taken, and a
// worker that arrives after that does nothing and is not waited for. The caller waits only for
// tasks already started, spinning about as long as a task takes (measured on its own) and then
// sleeping, which frees its core for a worker that was descheduled in the middle of a task.
//
// Whether a second thread pays at all then depends on the machine's load, which changes:
// ThreadChoice (below) times a repeated piece of work on one thread and on all, and runs the
// faster.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace deltaprop {

class ThreadPool {
public:
    /// task(i, worker): task i on the thread numbered worker (0 the caller, 1.. helpers).
    using Task = std::function<void(std::size_t, std::size_t)>;

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

    /// Call task(i, worker) for i in [0, n), using at most max_threads threads; worker numbers
    /// the thread (0 the caller), below max_threads and the pool's size. Blocks until all are
    /// done; rethrows the first exception a task threw (the other tasks still run).
    void run(std::size_t n, const Task& task, std::size_t max_threads = std::size_t(-1)) {
        if (n == 0) return;
        std::lock_guard<std::mutex> run_lock(run_mutex_);  // one run at a time per pool
        const std::size_t helpers = std::min({workers_.size(), n - 1, max_threads - 1});
        if (helpers == 0) {
            for (std::size_t i = 0; i < n; ++i) task(i, 0);
            return;
        }
        task_ = &task;
        n_tasks_ = n;
        next_.store(0);
        error_ = nullptr;
        helpers_wanted_.store(helpers);
        const std::uint64_t generation = (state_.load() >> generation_shift) + 1;
        state_.store((generation << generation_shift) | open_bit);  // publishes the fields above
        if (sleepers_.load() > 0) {
            std::lock_guard<std::mutex> lock(mutex_);
            wake_.notify_all();
        }
        const auto start = Clock::now();
        const std::size_t mine = drain(0);
        const auto drained = Clock::now();
        // The last task is taken: late helpers no longer join. Wait for the joined ones.
        const std::uint64_t s = state_.fetch_and(~open_bit);
        if (active(s) != 0) {
            // Roughly one task's time (this thread's mean), then sleep.
            const auto per_task = (drained - start) / std::max<std::size_t>(mine, 1);
            const auto limit = std::clamp<Clock::duration>(2 * per_task, min_wait_spin, spin_time);
            if (!spin_until([this] { return active(state_.load()) == 0; }, limit)) {
                std::unique_lock<std::mutex> lock(mutex_);
                caller_sleeps_ = true;
                done_.wait(lock, [this] { return active(state_.load()) == 0; });
                caller_sleeps_ = false;
            }
        }
        task_ = nullptr;
        if (error_) std::rethrow_exception(error_);
    }

    /// Call task(i) for i in [0, n), as run above, where a task needs no per-thread scratch.
    void run(std::size_t n, const std::function<void(std::size_t)>& task,
             std::size_t max_threads = std::size_t(-1)) {
        run(n, [&](std::size_t i, std::size_t) { task(i); }, max_threads);
    }

private:
    using Clock = std::chrono::steady_clock;

    /// How long a worker spins for the next run before it parks (see the top of the file).
    static constexpr std::chrono::microseconds spin_time{100};
    /// The least the caller spins for joined workers before it sleeps.
    static constexpr std::chrono::microseconds min_wait_spin{5};

    // state_: the run's generation, whether it is open (tasks left to join for), how many
    // helpers joined it and how many of them are still inside it, in one word so that joining
    // and closing cannot cross.
    static constexpr unsigned generation_shift = 32;
    static constexpr std::uint64_t open_bit = std::uint64_t(1) << 31;
    static constexpr unsigned joined_shift = 16;
    static constexpr std::uint64_t count_mask = 0x7fff;
    static std::uint64_t active(std::uint64_t s) { return s & count_mask; }
    static std::uint64_t joined(std::uint64_t s) { return (s >> joined_shift) & count_mask; }

    /// Spins until done() or for `limit`; whether done() held.
    template <class Done>
    static bool spin_until(Done done, Clock::duration limit) {
        const auto deadline = Clock::now() + limit;
        for (unsigned i = 1;; ++i) {
            if (done()) return true;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
            __builtin_ia32_pause();  // tells the core a spin loop is running
#endif
            if (i % 16 == 0 && Clock::now() > deadline) return false;
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

    /// Runs tasks until none is left; how many this thread ran.
    std::size_t drain(std::size_t worker) {
        std::size_t count = 0;
        for (;; ++count) {
            const std::size_t i = next_.fetch_add(1);
            if (i >= n_tasks_) return count;
            try {
                (*task_)(i, worker);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex_);
                if (!error_) error_ = std::current_exception();
            }
        }
    }

    /// Joins the open run of generation g, if it still wants helpers: the worker number, or 0.
    std::size_t join(std::uint64_t g) {
        std::uint64_t s = state_.load();
        for (;;) {
            if ((s >> generation_shift) != g || !(s & open_bit) || joined(s) >= helpers_wanted_.load())
                return 0;
            const std::uint64_t next = s + (std::uint64_t(1) << joined_shift) + 1;
            if (state_.compare_exchange_weak(s, next)) return joined(next);
        }
    }

    void work() {
        std::uint64_t seen = state_.load() >> generation_shift;
        const auto new_run = [&] {
            return stopping_.load() || (state_.load() >> generation_shift) != seen;
        };
        for (;;) {
            if (!spin_until(new_run, spin_time)) {
                std::unique_lock<std::mutex> lock(mutex_);
                sleepers_.fetch_add(1);
                wake_.wait(lock, new_run);
                sleepers_.fetch_sub(1);
            }
            if (stopping_.load()) return;
            seen = state_.load() >> generation_shift;
            const std::size_t worker = join(seen);
            if (worker == 0) continue;  // came too late: the caller did the work
            drain(worker);
            const std::uint64_t s = state_.fetch_sub(1);
            if (active(s) == 1 && !(s & open_bit)) {  // the last one out of a closed run
                std::lock_guard<std::mutex> lock(mutex_);
                if (caller_sleeps_) done_.notify_one();
            }
        }
    }

    std::vector<std::thread> workers_;
    std::atomic<std::size_t> size_{1};  // read without the lock by callers sizing their work
    std::mutex run_mutex_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const Task* task_ = nullptr;
    std::size_t n_tasks_ = 0;
    std::atomic<std::size_t> helpers_wanted_{0};  // read by late helpers while the next run sets it
    std::atomic<std::size_t> next_{0};
    std::exception_ptr error_;
    std::atomic<std::uint64_t> state_{0};
    std::atomic<std::size_t> sleepers_{0};
    std::atomic<bool> stopping_{false};
    bool caller_sleeps_ = false;  // under mutex_
};

/// For work repeated many times (the epochs of a training run): whether to run it on one thread
/// or on `most`, chosen by timing both. It runs the one whose last few runs took less (their
/// median: a run that the system interrupted for milliseconds does not decide), and every
/// probe_every runs the other once, so that the choice follows the machine's load. On a quiet
/// machine that is all threads; with another process busy on a core, often one. The probes cost
/// at most a fraction 1/probe_every of the difference, less where it is large. The work's
/// results must not depend on the thread count, as the pool's callers' do not.
/// Long work (a run on all threads of at least long_run seconds, many scheduler time slices)
/// stays on all threads without timing one: one thread loses there only by what a busy core
/// takes from the helpers, while the tasks are taken one at a time by whichever thread is free,
/// and a probe of one thread would cost a whole slow epoch. (Each fit starts a new choice: on
/// workload W, 784-4096-10, the probes of its first epochs made a 2-thread fit's second epoch
/// take 2.4 s on one thread where two take 1.3 s.)
class ThreadChoice {
public:
    /// The thread count for the next run of the work, at most `most`.
    std::size_t threads(std::size_t most) {
        if (most != most_) {  // a new pool size: what was timed no longer applies
            *this = ThreadChoice();
            most_ = most;
        }
        if (most <= 1) {
            mode_ = one;
            return 1;
        }
        if (last_many_ >= long_run) {
            mode_ = many;
            return most;
        }
        if (count_[many] < to_start || count_[one] < to_start)  // both, in turns
            mode_ = count_[many] <= count_[one] ? many : one;
        else {
            const double t_one = median(one), t_many = median(many);
            const Mode best = t_many <= t_one ? many : one;
            const double ratio = best == many ? t_one / t_many : t_many / t_one;
            const std::size_t every = ratio > 1.5 ? 4 * probe_every : probe_every;
            mode_ = ++since_probe_ >= every ? (since_probe_ = 0, Mode(1 - best)) : best;
        }
        return mode_ == many ? most : 1;
    }

    /// The time of the run just made with the count threads() gave.
    void record(double seconds) {
        if (most_ <= 1) return;
        if (mode_ == many) last_many_ = seconds;
        times_[mode_][next_[mode_]] = seconds;
        next_[mode_] = (next_[mode_] + 1) % kept;
        count_[mode_] = std::min(kept, count_[mode_] + 1);
    }

    /// Forget the times (the work changed).
    void reset() { *this = ThreadChoice(); }

private:
    enum Mode { one = 0, many = 1 };
    static constexpr std::size_t kept = 5;         ///< runs timed per mode
    static constexpr std::size_t to_start = 3;     ///< runs of each before choosing
    static constexpr std::size_t probe_every = 16;
    static constexpr double long_run = 0.05;  ///< seconds: see the class comment

    double median(Mode m) const {
        double t[kept];
        std::copy(times_[m], times_[m] + count_[m], t);
        std::nth_element(t, t + count_[m] / 2, t + count_[m]);
        return t[count_[m] / 2];
    }

    std::size_t most_ = 0;
    Mode mode_ = one;
    double times_[2][kept] = {};
    double last_many_ = 0;  ///< seconds of the last run on all threads
    std::size_t count_[2] = {0, 0}, next_[2] = {0, 0};
    std::size_t since_probe_ = 0;
};

/// The pool shared by all networks of the process; set_num_threads resizes it.
inline ThreadPool& default_pool() {
    static ThreadPool pool;
    return pool;
}
inline void set_num_threads(std::size_t n) { default_pool().resize(n); }
inline std::size_t get_num_threads() { return default_pool().size(); }

}  // namespace deltaprop
