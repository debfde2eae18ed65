// module.cpp — deltaprop._core: the pybind11 bindings. Conversion only: arrays are checked and
// converted by checked_arrays.hpp, the GIL is released, and the core does the work.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <functional>
#include <cstdint>
#include <iterator>
#include <utility>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "checked_arrays.hpp"
#include "kept_evaluator.hpp"
#include "deltaprop/deltaprop.hpp"

namespace py = pybind11;
using namespace deltaprop;
using deltaprop_py::input_rows;
using deltaprop_py::KeptEvaluator;
using deltaprop_py::target_rows;

void bind_model_file(py::module_& m);  // model_file.cpp
void bind_objective(py::module_& m);   // objective.cpp

namespace {

/// Marks a network as being changed by one call for the call's duration. fit, gd_step and
/// sgd_epoch change the weights with the GIL released, so another Python thread (or fit's own
/// callback) could otherwise assign, reinitialize or train the same weights at the same time.
/// A second changing call on a busy network raises RuntimeError instead of racing. Reading
/// calls (forward, error, ...) take no mark: they proceed and see the weights as they are.
class BusyMark {
public:
    BusyMark(const void* net, const char* call) : net_(net) {
        std::lock_guard<std::mutex> lock(mutex());
        const auto placed = running().emplace(net, call);
        if (!placed.second)
            throw std::runtime_error(std::string("network is busy: ") + placed.first->second +
                                     " is running on it (in another thread or in its callback); " +
                                     call + " is refused until it returns");
    }
    ~BusyMark() {
        std::lock_guard<std::mutex> lock(mutex());
        running().erase(net_);
    }
    BusyMark(const BusyMark&) = delete;
    BusyMark& operator=(const BusyMark&) = delete;

private:
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static std::unordered_map<const void*, const char*>& running() {
        static std::unordered_map<const void*, const char*> calls;  // network → its running call
        return calls;
    }
    const void* net_;
};

template <class T>
Data<T> data_of(const deltaprop_py::Rows<T>& x, const deltaprop_py::Rows<T>& y) {
    return Data<T>{x.data(), y.data(), x.n, std::size_t(x.array.shape(x.array.ndim() - 1)),
                   y.array.ndim() == 2 ? std::size_t(y.array.shape(1)) : 0};
}

template <class T>
py::array_t<T> new_matrix(std::size_t rows, std::size_t cols) {
    return py::array_t<T>({py::ssize_t(rows), py::ssize_t(cols)});
}

/// The weights or a gradient, flat in the weights' layout, as the list [W^(1), ..., W^(L)].
template <class T>
py::list as_layer_list(const Layout& layout, const T* flat) {
    py::list out;
    for (std::size_t l = 1; l <= layout.n_layers(); ++l) {
        auto m = new_matrix<T>(layout.dim(l - 1) + 1, layout.dim(l));
        std::copy(flat + layout.offset(l), flat + layout.offset(l) + layout.size(l),
                  m.mutable_data());
        out.append(m);
    }
    return out;
}

/// Connects a running fit to Python: Ctrl-C, the progress bar and the user's callback. Called
/// from the training thread with the GIL released; takes the GIL only at these bounded moments.
class PythonMonitor : public Monitor {
public:
    PythonMonitor(py::object progress, py::object callback)
        : progress_(std::move(progress)), callback_(std::move(callback)) {}

    void poll(const Progress& p) override {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // KeyboardInterrupt
        if (!progress_.is_none()) progress_(p.iteration, p.total, p.error);
    }

    bool record(const History& h) override {
        if (callback_.is_none()) return true;
        py::gil_scoped_acquire gil;
        py::dict info;
        info["iteration"] = h.iteration.back();
        info["error"] = h.error.back();
        info["augmented_error"] = h.augmented_error.back();
        info["validation_error"] = h.validation_error.back();
        info["lr"] = h.lr.back();
        info["seconds"] = h.seconds.back();
        py::object keep_going = callback_(info);
        return keep_going.is_none() || keep_going.cast<bool>();
    }

private:
    py::object progress_, callback_;
};

py::dict history_to_dict(History h) {
    py::dict out;
    out["iteration"] = py::array(py::cast(h.iteration));
    out["error"] = py::array(py::cast(h.error));
    out["augmented_error"] = py::array(py::cast(h.augmented_error));
    out["validation_error"] = py::array(py::cast(h.validation_error));
    out["lr"] = py::array(py::cast(h.lr));
    out["seconds"] = py::array(py::cast(h.seconds));
    out["evaluations"] = py::array(py::cast(h.evaluations));
    out["function_evaluations"] = py::array(py::cast(h.function_evaluations));
    out["notes"] = py::cast(h.notes);
    out["stop_reason"] = std::string(to_string(h.stop_reason));
    out["iterations_done"] = h.iterations_done;
    out["best_iteration"] = h.best_iteration;
    out["best_validation_error"] = h.best_validation_error;
    return out;
}

/// FitOptions from a dict of Python values, field by field under the fields' own names; an
/// unknown name is an error. The values are range-checked by FitOptions::validate (in fit).
FitOptions fit_options_from(const py::dict& given) {
    using Setter = void (*)(FitOptions&, py::handle);
    static const std::pair<const char*, Setter> setters[] = {
        {"method", [](FitOptions& o, py::handle v) { o.method = v.cast<std::string>(); }},
        {"lr", [](FitOptions& o, py::handle v) { o.lr = v.cast<double>(); }},
        {"c1", [](FitOptions& o, py::handle v) { o.c1 = v.cast<double>(); }},
        {"c2", [](FitOptions& o, py::handle v) { o.c2 = v.cast<double>(); }},
        {"max_line_evaluations", [](FitOptions& o, py::handle v) { o.max_line_evaluations = v.cast<std::size_t>(); }},
        {"memory", [](FitOptions& o, py::handle v) { o.memory = v.cast<std::size_t>(); }},
        {"beta1", [](FitOptions& o, py::handle v) { o.beta1 = v.cast<double>(); }},
        {"beta2", [](FitOptions& o, py::handle v) { o.beta2 = v.cast<double>(); }},
        {"eps", [](FitOptions& o, py::handle v) { o.eps = v.cast<double>(); }},
        {"iterations", [](FitOptions& o, py::handle v) { o.iterations = v.cast<std::size_t>(); }},
        {"penalty", [](FitOptions& o, py::handle v) { o.penalty = v.cast<std::string>(); }},
        {"lambda", [](FitOptions& o, py::handle v) { o.lambda = v.cast<double>(); }},
        {"batch_size", [](FitOptions& o, py::handle v) { o.batch_size = v.cast<std::size_t>(); }},
        {"momentum", [](FitOptions& o, py::handle v) { o.momentum = v.cast<double>(); }},
        {"increase", [](FitOptions& o, py::handle v) { o.increase = v.cast<double>(); }},
        {"decrease", [](FitOptions& o, py::handle v) { o.decrease = v.cast<double>(); }},
        {"restart_every", [](FitOptions& o, py::handle v) { o.restart_every = v.cast<std::size_t>(); }},
        {"seed", [](FitOptions& o, py::handle v) { o.seed = v.cast<std::uint64_t>(); }},
        {"grad_tol", [](FitOptions& o, py::handle v) { o.grad_tol = v.cast<double>(); }},
        {"record_every", [](FitOptions& o, py::handle v) { o.record_every = v.cast<std::size_t>(); }},
        {"target_error", [](FitOptions& o, py::handle v) { o.target_error = v.cast<double>(); }},
        {"max_seconds", [](FitOptions& o, py::handle v) { o.max_seconds = v.cast<double>(); }},
        {"patience", [](FitOptions& o, py::handle v) { o.patience = v.cast<std::size_t>(); }},
    };
    FitOptions o;
    for (auto item : given) {
        const std::string name = py::str(item.first);
        const auto* setter = std::find_if(std::begin(setters), std::end(setters),
                                          [&](const auto& s) { return name == s.first; });
        if (setter == std::end(setters))
            throw py::type_error("fit() got an unexpected keyword argument '" + name + "'");
        setter->second(o, item.second);
    }
    return o;
}

template <class T>
void bind_network(py::module_& m, const char* name) {
    using Net = Network<T>;
    py::class_<Net>(m, name, "The C++ network (use deltaprop.Network).")
        .def(py::init([](std::vector<std::size_t> dims, const std::vector<std::string>& hidden,
                         const std::string& output, const std::string& loss, std::uint64_t seed) {
                 // names to the core's parts; the core checks that they fit. From Python the
                 // list is explicit: empty only without hidden layers (C++'s {} for all tanh
                 // is no spelling Python offers).
                 check_activation_count(hidden.size(), dims.size() < 2 ? 0 : dims.size() - 2);
                 Parts parts;
                 for (const auto& name : hidden)
                     parts.hidden.push_back(activation_from_string(name, true));
                 parts.output = output_from_string(output);
                 if (!loss.empty()) parts.loss = loss_from_string(loss);
                 return new Net(std::move(dims), parts, seed);
             }),
             py::arg("dims"), py::arg("hidden"), py::arg("output"), py::arg("loss"), py::arg("seed"))
        .def_property_readonly("dims", [](const Net& n) { return n.dims(); })
        .def_property_readonly("activation", [](const Net& n) {
            py::list names;  // the hidden layers' θ
            for (std::size_t l = 1; l < n.n_layers(); ++l) names.append(to_string(n.activation(l)));
            return py::tuple(names);
        })
        .def_property_readonly("output", [](const Net& n) { return std::string(to_string(n.output())); })
        .def_property_readonly("loss", [](const Net& n) { return std::string(to_string(n.loss())); })
        .def_property_readonly("n_weights", &Net::n_weights)
        .def(
            "weight_view",
            [](py::object self, std::size_t l) {
                Net& n = self.cast<Net&>();
                if (l < 1 || l > n.n_layers())
                    throw py::index_error("layer " + std::to_string(l) + " is not in 1.." +
                                          std::to_string(n.n_layers()));
                const std::size_t rows = n.layout().dim(l - 1) + 1, cols = n.layout().dim(l);
                // A view of the C++ buffer that keeps the network alive.
                return py::array_t<T>({py::ssize_t(rows), py::ssize_t(cols)},
                                      {py::ssize_t(cols * sizeof(T)), py::ssize_t(sizeof(T))},
                                      n.weights(l), self);
            },
            py::arg("layer"))
        .def(
            "initialize",
            [](Net& n, std::uint64_t seed) {
                BusyMark mark(&n, "initialize");
                n.initialize(seed);
            },
            py::arg("seed"))
        .def(
            "assign_weights",
            [](Net& n, py::array_t<T, py::array::c_style | py::array::forcecast> flat) {
                // Network.weights checks the layers; this copies them in as one piece, after
                // checking again what float32 rounding may have made infinite
                BusyMark mark(&n, "weight assignment");
                if (flat.ndim() != 1 || std::size_t(flat.shape(0)) != n.n_weights())
                    throw py::value_error("flat weights must have shape (" +
                                          std::to_string(n.n_weights()) + ",)");
                deltaprop_py::check_finite(flat.data(), n.n_weights(), "weights");
                std::copy(flat.data(), flat.data() + n.n_weights(), n.data());
            },
            py::arg("flat"))
        .def("forward",
             [](const Net& n, py::handle X) {
                 auto x = input_rows<T>(X, n.layout().n_inputs());
                 auto out = new_matrix<T>(x.n, n.layout().n_outputs());
                 T* o = out.mutable_data();
                 {
                     py::gil_scoped_release nogil;
                     KeptEvaluator<T>(n.layout())->predict(n, x.data(), x.n, o);
                 }
                 return out;
             })
        .def("error",
             [](const Net& n, py::handle X, py::handle Y) {
                 auto x = input_rows<T>(X, n.layout().n_inputs());
                 auto y = target_rows<T>(Y, n.layout().n_outputs(), x.n, x.single);
                 py::gil_scoped_release nogil;
                 return KeptEvaluator<T>(n.layout())->error(n, data_of(x, y));
             })
        .def("error_and_gradient",
             [](const Net& n, py::handle X, py::handle Y) {
                 auto x = input_rows<T>(X, n.layout().n_inputs());
                 auto y = target_rows<T>(Y, n.layout().n_outputs(), x.n, x.single);
                 std::vector<T> g(n.n_weights());
                 double e;
                 {
                     py::gil_scoped_release nogil;
                     KeptEvaluator<T> ev(n.layout());
                     e = ev->error_and_gradient(n, data_of(x, y), g.data());
                 }
                 return py::make_tuple(e, as_layer_list(n.layout(), g.data()));
             })
        .def("gd_step",
             [](Net& n, py::handle X, py::handle Y, double lr) {
                 auto x = input_rows<T>(X, n.layout().n_inputs());
                 auto y = target_rows<T>(Y, n.layout().n_outputs(), x.n, x.single);
                 std::vector<T> g(n.n_weights());
                 BusyMark mark(&n, "gd_step");
                 py::gil_scoped_release nogil;
                 KeptEvaluator<T> ev(n.layout());
                 return gd_step(n, *ev, data_of(x, y), T(lr), g.data());
             })
        .def("sgd_epoch",
             [](Net& n, py::handle X, py::handle Y, double lr, std::uint64_t seed) {
                 auto x = input_rows<T>(X, n.layout().n_inputs());
                 auto y = target_rows<T>(Y, n.layout().n_outputs(), x.n, x.single);
                 BusyMark mark(&n, "sgd_epoch");
                 py::gil_scoped_release nogil;
                 return sgd_epoch(n, data_of(x, y), T(lr), seed);
             })
        .def("trace",  // one point's s^(ℓ), x^(ℓ), δ^(ℓ) (trace.hpp), as lists of arrays
             [](const Net& n, py::handle X, py::handle Y) {
                 auto x = input_rows<T>(X, n.layout().n_inputs(), "x");
                 if (!x.single)
                     throw py::value_error("trace takes one point x of shape (" +
                                           std::to_string(n.layout().n_inputs()) + ",), got " +
                                           deltaprop_py::shape_str(x.array));
                 auto y = target_rows<T>(Y, n.layout().n_outputs(), 1, true);
                 const Trace<T> t = trace(n, x.data(), y.data());
                 auto arrays = [](const std::vector<std::vector<T>>& v) {
                     py::list out;
                     for (const auto& a : v)
                         out.append(py::array_t<T>(py::ssize_t(a.size()), a.data()));
                     return out;
                 };
                 return py::make_tuple(arrays(t.x), arrays(t.s), arrays(t.delta), t.error);
             })
        .def(
            "fit",
            [](Net& n, py::handle X, py::handle Y, const py::dict& options, py::handle Xv,
               py::handle Yv, py::object callback, py::object progress) {
                 const FitOptions o = fit_options_from(options);
                 auto x = input_rows<T>(X, n.layout().n_inputs());
                 auto y = target_rows<T>(Y, n.layout().n_outputs(), x.n, x.single);
                 Data<T> train = data_of(x, y), validation;
                 deltaprop_py::Rows<T> xv, yv;
                 if (!Xv.is_none()) {
                     xv = input_rows<T>(Xv, n.layout().n_inputs(), "validation X");
                     yv = target_rows<T>(Yv, n.layout().n_outputs(), xv.n, xv.single,
                                         "validation y");
                     validation = data_of(xv, yv);
                 }
                 PythonMonitor monitor(std::move(progress), std::move(callback));
                 History h;
                 BusyMark mark(&n, "fit");
                 {
                     py::gil_scoped_release nogil;
                     h = deltaprop::fit(n, train, o, Xv.is_none() ? nullptr : &validation,
                                        &monitor);
                 }
                 return history_to_dict(std::move(h));
             },
            py::arg("X"), py::arg("y"), py::arg("options"), py::arg("Xv"), py::arg("yv"),
            py::arg("callback"), py::arg("progress"))
        .def(
            "fit_objective",  // the same loop on E_in and ∇E_in from a Python function
            [](Net& n, py::function f, std::size_t n_points, const py::dict& options,
               py::object validation_error, py::object callback, py::object progress) {
                const FitOptions o = fit_options_from(options);
                if (n_points == 0) throw py::value_error("n_points must be at least 1");
                const std::size_t nw = n.n_weights();
                // Called from the training thread with the GIL released: takes it per call.
                CallableObjective<T> objective(
                    nw,
                    [&f, nw](const T* w, T* g) -> double {
                        py::gil_scoped_acquire gil;
                        py::object r = f(py::array_t<T>(py::ssize_t(nw), w), g != nullptr);
                        if (!g) return r.cast<double>();
                        auto pair = r.cast<py::tuple>();
                        if (pair.size() != 2)
                            throw py::value_error("the objective must return (E_in, gradient)");
                        auto grad = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(pair[1]);
                        if (!grad || grad.ndim() != 1 || std::size_t(grad.shape(0)) != nw)
                            throw py::value_error("the objective's gradient must have shape (" +
                                                  std::to_string(nw) + ",)");
                        std::copy(grad.data(), grad.data() + nw, g);
                        return pair[0].cast<double>();
                    },
                    o.regularizer(n_points));
                std::function<double()> validation;
                if (!validation_error.is_none())
                    validation = [&validation_error, &n, nw]() {
                        py::gil_scoped_acquire gil;
                        return validation_error(py::array_t<T>(py::ssize_t(nw), n.data())).template cast<double>();
                    };
                PythonMonitor monitor(std::move(progress), std::move(callback));
                History h;
                BusyMark mark(&n, "fit");
                std::size_t reached = 0;
                try {
                    py::gil_scoped_release nogil;
                    Trainer<T> trainer(n, objective, o, std::move(validation));
                    try {
                        h = trainer.run(monitor);
                    } catch (...) {
                        reached = trainer.iterations_done();
                        throw;
                    }
                } catch (py::error_already_set& e) {
                    // the GIL is held again: tell the caller the iteration the weights are of
                    if (PyObject_SetAttrString(e.value().ptr(), "deltaprop_iteration",
                                               py::int_(reached).ptr()) != 0)
                        PyErr_Clear();
                    throw;
                }
                return history_to_dict(std::move(h));
            },
            py::arg("f"), py::arg("n_points"), py::arg("options"), py::arg("validation_error"),
            py::arg("callback"), py::arg("progress"));
}

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "deltaprop's C++ core: forward propagation, backpropagation and training.";
    m.attr("__version__") = DELTAPROP_VERSION_STRING;
    // The parts' names (parts.hpp): hidden θ, output θ, losses.
    m.attr("ACTIVATIONS") = py::tuple(py::cast(activation_names(true)));
    m.attr("OUTPUTS") = py::tuple(py::cast(activation_names(false)));
    m.attr("LOSSES") = py::tuple(py::cast(loss_names()));
    py::dict methods;  // the training methods by name, in registration order, with their line
    for (const auto& method : registered_methods<double>()) methods[method.name] = method.description;
    m.attr("METHODS") = methods;
    py::list full_batch;  // those that minimise any Objective (fit_objective, a Dask cluster)
    for (const auto& method : registered_methods<double>())
        if (method.full_batch) full_batch.append(method.name);
    m.attr("FULL_BATCH_METHODS") = py::tuple(full_batch);
    bind_network<double>(m, "Network64");
    bind_network<float>(m, "Network32");
    m.def("set_num_threads", [](long long n) {
        if (n < 1 || n > 1024)
            throw py::value_error("n_threads must be at least 1 (and at most 1024), got " +
                                  std::to_string(n));
        py::gil_scoped_release nogil;
        set_num_threads(std::size_t(n));
    });
    m.def("get_num_threads", &get_num_threads);
    py::register_exception<DivergenceError>(m, "DivergenceError", PyExc_ArithmeticError);
    m.def("method_options", &method_options, py::arg("method"),
          "The options, beyond the common ones, that a training method reads.");
    bind_model_file(m);
    bind_objective(m);
}
