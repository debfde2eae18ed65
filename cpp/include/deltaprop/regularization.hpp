// deltaprop/regularization.hpp — the augmented error of e-Chapter 7, E_aug = E_in + Ω(w):
//   weight decay:        Ω(w) = (λ/N) Σ w²            ∂Ω/∂w = (λ/N) 2w
//   weight elimination:  Ω(w) = (λ/N) Σ w²/(1 + w²)   ∂Ω/∂w = (λ/N) 2w/(1 + w²)²
// The sums run over all weights, biases included, as the book writes them.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace deltaprop {

enum class Penalty { none, weight_decay, weight_elimination };

/// The penalty's name, as FitOptions and Python spell it.
inline const char* to_string(Penalty p) {
    switch (p) {
        case Penalty::none: return "none";
        case Penalty::weight_decay: return "weight_decay";
        case Penalty::weight_elimination: return "weight_elimination";
    }
    return "?";
}

inline Penalty penalty_from_string(const std::string& s) {
    for (Penalty p : {Penalty::none, Penalty::weight_decay, Penalty::weight_elimination})
        if (s == to_string(p)) return p;
    throw std::invalid_argument("penalty must be none, weight_decay or weight_elimination; got \"" +
                                s + "\"");
}

struct Regularizer {
    Penalty penalty = Penalty::none;
    double lambda = 0;  ///< λ
    std::size_t n = 1;  ///< N, the number of training points (the book's λ/N scaling)

    bool active() const { return penalty != Penalty::none && lambda != 0; }
    double scale() const { return lambda / double(n); }

    /// Ω(w) over the flat weights.
    template <class T>
    double value(const T* w, std::size_t count) const {
        if (!active()) return 0;
        double sum = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const double w2 = double(w[i]) * double(w[i]);
            sum += penalty == Penalty::weight_decay ? w2 : w2 / (1 + w2);
        }
        return scale() * sum;
    }

    /// ∂Ω/∂w for one weight.
    template <class T>
    T derivative(T w) const {
        if (penalty == Penalty::weight_decay) return T(scale()) * T(2) * w;
        const T d = T(1) + w * w;
        return T(scale()) * T(2) * w / (d * d);
    }

    /// g += ∂Ω/∂w over the flat weights.
    template <class T>
    void add_gradient(const T* w, std::size_t count, T* g) const {
        if (!active()) return;
        for (std::size_t i = 0; i < count; ++i) g[i] += derivative(w[i]);
    }
};

}  // namespace deltaprop
