// deltaprop/methods/variable_lr.hpp — the variable learning rate heuristic of e-Chapter 7: try
// W − η∇E_aug; if E_aug fell, accept and η ← αη, else reject and η ← βη.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "deltaprop/fit_options.hpp"
#include "deltaprop/memory.hpp"
#include "deltaprop/methods/method.hpp"

namespace deltaprop {

template <class T>
class VariableLearningRate : public FullBatchMethod<T> {
public:
    VariableLearningRate(const FitOptions& o, std::size_t n_weights)
        : eta_(o.lr.value_or(FitOptions::default_lr)), increase_(o.increase.value_or(FitOptions::default_increase)),
          decrease_(o.decrease.value_or(FitOptions::default_decrease)) {
        allocate(w_kept_, n_weights, T(0), "trial weights");
        allocate(g_trial_, n_weights, T(0), "the trial gradient");
    }

    StepResult step(Objective<T>& f, T* w, std::vector<T>& g, Evaluation& at, bool) override {
        const std::size_t n = w_kept_.size();
        std::copy(w, w + n, w_kept_.begin());  // keep w; try w − ηg in place
        const T eta = T(eta_);
        for (std::size_t i = 0; i < n; ++i) w[i] -= eta * g[i];
        const Evaluation trial = f.value_and_gradient(w, g_trial_.data());
        if (std::isfinite(trial.augmented) && trial.augmented < at.augmented) {  // accept, speed up
            at = trial;
            g.swap(g_trial_);
            eta_ *= increase_;
        } else {  // reject, slow down
            std::copy(w_kept_.begin(), w_kept_.end(), w);
            eta_ *= decrease_;
        }
        return StepResult::moved;
    }

    double lr() const override { return eta_; }

private:
    double eta_, increase_, decrease_;
    std::vector<T> w_kept_, g_trial_;
};

}  // namespace deltaprop
