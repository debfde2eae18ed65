// The Evaluator a binding call (forward, error, error_and_gradient, gd_step) runs on, kept by
// each thread between calls.
//
// An Evaluator allocates its block workspaces and per-slot partial gradients on first use.
// Made afresh for every call, that allocation and the page faults of touching it cost more than
// the evaluation itself on small data: from Python, error_and_gradient of 256-100-10 on 32
// points took 322 µs against 108 µs for the evaluation in C++. So each thread keeps the last
// evaluator it used, and Python threads never share one (an Evaluator is not thread-safe). One
// whose scratch has grown past keep_limit is freed after the call, as before, rather than held
// while idle: a large network's allocation is small beside its evaluation.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "deltaprop/gradient.hpp"

namespace deltaprop_py {

template <class T>
class KeptEvaluator {
public:
    static constexpr std::size_t keep_limit = std::size_t(32) << 20;

    /// The thread's kept evaluator if it has this layout, else a new one. A call that starts
    /// while another holds the thread's evaluator (none does today) gets a new one.
    explicit KeptEvaluator(const deltaprop::Layout& layout) : ev_(std::move(slot())) {
        if (!ev_ || ev_->layout() != layout)
            ev_ = std::make_unique<deltaprop::Evaluator<T>>(layout);
    }
    ~KeptEvaluator() {
        if (ev_->scratch_bytes() <= keep_limit) slot() = std::move(ev_);
    }
    KeptEvaluator(const KeptEvaluator&) = delete;
    KeptEvaluator& operator=(const KeptEvaluator&) = delete;

    deltaprop::Evaluator<T>& operator*() { return *ev_; }
    deltaprop::Evaluator<T>* operator->() { return ev_.get(); }

private:
    static std::unique_ptr<deltaprop::Evaluator<T>>& slot() {
        thread_local std::unique_ptr<deltaprop::Evaluator<T>> kept;
        return kept;
    }
    std::unique_ptr<deltaprop::Evaluator<T>> ev_;
};

}  // namespace deltaprop_py
