// deltaprop/methods/registry.hpp — every training method by name: the options it reads beyond
// the common ones, a line on when to use it, and how fit builds it. Adding a method: its header
// in this folder and one entry in registered_methods(); the bindings, Python's METHODS, the CLI
// and the estimators take the list from here.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "deltaprop/batch_source.hpp"
#include "deltaprop/fit_options.hpp"
#include "deltaprop/methods/adam.hpp"
#include "deltaprop/methods/gd.hpp"
#include "deltaprop/methods/lbfgs.hpp"
#include "deltaprop/methods/line_search_descent.hpp"
#include "deltaprop/methods/method.hpp"
#include "deltaprop/methods/minibatch.hpp"
#include "deltaprop/methods/sgd.hpp"
#include "deltaprop/methods/variable_lr.hpp"

namespace deltaprop {

/// A method built for one run: exactly one of the two is set.
template <class T>
struct MadeMethod {
    std::unique_ptr<FullBatchMethod<T>> full_batch;
    std::unique_ptr<StochasticMethod<T>> stochastic;
};

template <class T>
struct MethodRegistration {
    const char* name;
    const char* description;  ///< one line on when to use it (Python's deltaprop.METHODS)
    MethodOptions reads;  ///< the method-specific options it reads
    bool full_batch;      ///< minimises an Objective (else: steps on the training points)
    /// Builds the method for a run over n_weights weights; the stochastic ones train on the
    /// source (which the full-batch ones ignore: they are handed an Objective at each step).
    MadeMethod<T> (*make)(const FitOptions&, std::size_t n_weights, BatchSource<T>* source);
};

/// The training points a stochastic method needs.
template <class T>
BatchSource<T>& points(BatchSource<T>* source, const FitOptions& o) {
    if (!source) throw std::invalid_argument(o.method + " trains on points, not on an Objective");
    return *source;
}

template <class T>
const std::vector<MethodRegistration<T>>& registered_methods() {
    using O = MethodOption;
    using Source = BatchSource<T>;
    static const std::vector<MethodRegistration<T>> methods = {
        {"gd",
         "batch gradient descent, fixed lr: the lecture's baseline; smooth, slow",
         {O::momentum, O::grad_tol},
         true,
         [](const FitOptions& o, std::size_t n, Source*) {
             return MadeMethod<T>{std::make_unique<GradientDescent<T>>(o, n), nullptr};
         }},
        {"sgd",
         "one point per update in a seeded random order: cheap steps, noisy, good on large N",
         {O::momentum, O::seed},
         false,
         [](const FitOptions& o, std::size_t n, Source* s) {
             return MadeMethod<T>{nullptr, std::make_unique<StochasticGradientDescent<T>>(o, n, points(s, o))};
         }},
        {"minibatch",
         "batch_size points per update: between gd and sgd, the usual choice for large N",
         {O::batch_size, O::momentum, O::seed},
         false,
         [](const FitOptions& o, std::size_t n, Source* s) {
             return MadeMethod<T>{nullptr, std::make_unique<MiniBatchGradientDescent<T>>(o, n, points(s, o))};
         }},
        {"variable_lr",
         "gd that grows lr by `increase` after a success and shrinks it by `decrease` after a "
         "failure: gd without tuning lr",
         {O::increase, O::decrease, O::grad_tol},
         true,
         [](const FitOptions& o, std::size_t n, Source*) {
             return MadeMethod<T>{std::make_unique<VariableLearningRate<T>>(o, n), nullptr};
         }},
        {"steepest",
         "steepest descent with a strong-Wolfe line search along -g: few, well-chosen steps",
         {O::c1, O::c2, O::max_line_evaluations, O::grad_tol},
         true,
         [](const FitOptions& o, std::size_t n, Source*) {
             return MadeMethod<T>{std::make_unique<LineSearchDescent<T>>(o, n, false), nullptr};
         }},
        {"conjugate_gradient",
         "Polak-Ribiere+ conjugate gradients with the same line search: little memory, fast "
         "on full batches",
         {O::restart_every, O::c1, O::c2, O::max_line_evaluations, O::grad_tol},
         true,
         [](const FitOptions& o, std::size_t n, Source*) {
             return MadeMethod<T>{std::make_unique<LineSearchDescent<T>>(o, n, true), nullptr};
         }},
        {"lbfgs",
         "limited-memory BFGS with a strong-Wolfe line search: the fewest evaluations to a "
         "low E_in on full batches",
         {O::memory, O::c1, O::c2, O::max_line_evaluations, O::grad_tol},
         true,
         [](const FitOptions& o, std::size_t n, Source*) {
             return MadeMethod<T>{std::make_unique<Lbfgs<T>>(o, n), nullptr};
         }},
        {"adam",
         "Adam on mini-batches of batch_size points: the usual choice for large N and deep "
         "networks, robust to lr",
         {O::batch_size, O::beta1, O::beta2, O::eps, O::seed},
         false,
         [](const FitOptions& o, std::size_t n, Source* s) {
             return MadeMethod<T>{nullptr, std::make_unique<Adam<T>>(o, n, points(s, o))};
         }},
    };
    return methods;
}

/// names joined by ", ", with `last` before the last one.
inline std::string join_names(const std::vector<std::string>& names, const char* last) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i == 0 ? "" : i + 1 < names.size() ? ", " : last) + names[i];
    return out;
}

/// The names of the registered methods that read `option` (all of them without one), in
/// order, joined by ", " (or `last` before the last one).
inline std::string method_names(const MethodOption* option = nullptr, const char* last = ", ") {
    std::vector<std::string> names;
    for (const auto& m : registered_methods<double>())
        if (!option || m.reads.contains(*option)) names.push_back(m.name);
    return join_names(names, last);
}

/// The names of the full-batch methods (those that run on any Objective), joined likewise.
inline std::string full_batch_method_names(const char* last = ", ") {
    std::vector<std::string> names;
    for (const auto& m : registered_methods<double>())
        if (m.full_batch) names.push_back(m.name);
    return join_names(names, last);
}

template <class T>
const MethodRegistration<T>& find_method(const std::string& name) {
    for (const auto& m : registered_methods<T>())
        if (name == m.name) return m;
    throw std::invalid_argument("method must be one of " + method_names() + "; got '" + name + "'");
}

/// Throws std::invalid_argument if options.method is unknown, or if an option that only some
/// methods read was given to one that does not read it.
inline void check_options_apply(const FitOptions& options) {
    const MethodRegistration<double>& method = find_method<double>(options.method);
    for (MethodOption o : all_method_options) {
        if (!options.given(o) || method.reads.contains(o)) continue;
        throw std::invalid_argument(std::string(to_string(o)) + " applies to " +
                                    method_names(&o, " and ") + ", not " + options.method);
    }
}

/// The full-batch method options.method, checked and built to minimise an Objective over
/// n_weights weights (a stochastic method is refused: it needs training points).
template <class T>
std::unique_ptr<FullBatchMethod<T>> make_full_batch_method(const FitOptions& options,
                                                           std::size_t n_weights) {
    options.validate();
    check_options_apply(options);
    return find_method<T>(options.method).make(options, n_weights, nullptr).full_batch;
}

/// The method-specific options a method reads, by name (for the bindings).
inline std::vector<std::string> method_options(const std::string& name) {
    std::vector<std::string> out;
    const MethodRegistration<double>& method = find_method<double>(name);
    for (MethodOption o : all_method_options)
        if (method.reads.contains(o)) out.push_back(to_string(o));
    return out;
}

}  // namespace deltaprop
