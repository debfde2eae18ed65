// deltaprop/methods/gd.hpp — batch gradient descent: W ← W − η ∇E_aug(W), all N points per
// step, optionally with momentum (v ← μv − η∇E_aug, W ← W + v).
#pragma once

#include <cstddef>
#include <vector>

#include "deltaprop/descent.hpp"
#include "deltaprop/fit_options.hpp"
#include "deltaprop/methods/method.hpp"

namespace deltaprop {

template <class T>
class GradientDescent : public FullBatchMethod<T> {
public:
    GradientDescent(const FitOptions& o, std::size_t n_weights)
        : eta_(o.lr.value_or(FitOptions::default_lr)), step_(n_weights, o.momentum.value_or(0)) {}

    StepResult step(Objective<T>& f, T* w, std::vector<T>& g, Evaluation& at,
                    bool gradient_needed) override {
        step_.apply(w, g.data(), T(eta_));
        // after the last step only E is needed: a forward pass, not forward and backward
        at = gradient_needed ? f.value_and_gradient(w, g.data()) : f.value(w);
        return StepResult::moved;
    }

    double lr() const override { return eta_; }

private:
    double eta_;
    DescentStep<T> step_;
};

}  // namespace deltaprop
