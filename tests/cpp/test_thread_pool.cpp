// The thread pool runs every task once, on threads numbered apart within a run, and the
// ThreadChoice picks the faster of one thread and all from the times it is given. No test here
// measures time: the choice's times are made up. (That an Evaluator's results do not depend
// on the choice: test_gradient.cpp.)
#include <atomic>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "deltaprop/thread_pool.hpp"

using namespace deltaprop;

void test_every_task_runs_once_on_a_thread_of_its_own() {
    for (std::size_t size : {1, 2, 3, 5}) {
        ThreadPool pool(size);
        for (std::size_t n : {1, 2, 7, 64}) {
            for (std::size_t most : {std::size_t(1), std::size_t(2), size}) {
                for (int run = 0; run < 50; ++run) {
                    std::vector<std::atomic<int>> count(n);
                    std::vector<std::atomic<int>> inside(size);  // tasks running on each worker
                    std::atomic<int> bad{0};
                    pool.run(
                        n,
                        [&](std::size_t i, std::size_t worker) {
                            if (worker >= most || worker >= size) {
                                ++bad;
                                return;
                            }
                            if (inside[worker].fetch_add(1) != 0) ++bad;  // two threads, one number
                            ++count[i];
                            inside[worker].fetch_sub(1);
                        },
                        most);
                    CHECK(bad.load() == 0);
                    for (auto& c : count) CHECK(c.load() == 1);
                }
            }
        }
    }
}

void test_a_task_that_throws_is_rethrown_after_the_others_ran() {
    ThreadPool pool(3);
    std::vector<std::atomic<int>> count(20);
    CHECK_THROWS(pool.run(20,
                          [&](std::size_t i, std::size_t) {
                              ++count[i];
                              if (i == 5) throw std::runtime_error("task 5 failed");
                          }),
                 std::runtime_error, "task 5 failed");
    for (auto& c : count) CHECK(c.load() == 1);
    int ran = 0;  // the pool still works
    pool.run(4, [&](std::size_t) { ++ran; }, 1);
    CHECK(ran == 4);
}

/// Feeds a choice `runs` runs whose times are `t_one` on one thread and `t_many` on all;
/// how many of them ran on all.
std::size_t runs_on_all(ThreadChoice& choice, std::size_t most, double t_one, double t_many,
                        std::size_t runs) {
    std::size_t many = 0;
    for (std::size_t r = 0; r < runs; ++r) {
        const std::size_t threads = choice.threads(most);
        CHECK(threads == 1 || threads == most);
        many += threads == most && most > 1;
        choice.record(threads == 1 ? t_one : t_many);
    }
    return many;
}

void test_the_choice_runs_the_faster_and_tries_the_other_now_and_then() {
    // times of short work, milliseconds (long work is the next test's)
    ThreadChoice choice;
    // all threads twice as fast: nearly every run on them, the other tried now and then
    std::size_t many = runs_on_all(choice, 2, 2e-3, 1e-3, 1000);
    CHECK(many >= 960 && many < 1000);
    // the machine changes: one thread faster; after a few probes the choice follows (the
    // first ones still at the rare rate of the large difference before)
    many = runs_on_all(choice, 2, 1e-3, 1.3e-3, 1000);
    CHECK(many >= 3 && many <= 250);
    // the difference grows: the probes become rarer
    const std::size_t rarer = runs_on_all(choice, 2, 1e-3, 3e-3, 1000);
    CHECK(rarer < many && rarer >= 3);
    // one thread only: nothing to choose
    CHECK(runs_on_all(choice, 1, 1e-3, 0.5e-3, 100) == 0);
    // a new count starts over, trying both in turns
    ThreadChoice fresh;
    CHECK(fresh.threads(3) == 3);
    fresh.record(1e-3);
    CHECK(fresh.threads(3) == 1);
}

void test_long_work_stays_on_all_threads_without_probing_one() {
    // a run on all threads of a second: every run on them, one thread never timed, even were
    // it faster
    ThreadChoice choice;
    CHECK(runs_on_all(choice, 2, 0.5, 1.0, 100) == 100);
    // the work becomes short: timing both resumes, and one thread, faster, wins
    const std::size_t many = runs_on_all(choice, 2, 1e-3, 2e-3, 1000);
    CHECK(many >= 3 && many <= 100);
    // just under the bound (0.05 s): still timed, and probed
    ThreadChoice under;
    CHECK(runs_on_all(under, 2, 0.06, 0.049, 1000) < 1000);
}

int main() {
    test_every_task_runs_once_on_a_thread_of_its_own();
    test_a_task_that_throws_is_rethrown_after_the_others_ran();
    test_the_choice_runs_the_faster_and_tries_the_other_now_and_then();
    test_long_work_stays_on_all_threads_without_probing_one();
    return report("test_thread_pool");
}
