// objective.cpp — deltaprop._core.Objective64/Objective32: E_aug(w) and ∇E_aug(w) of a network
// on fixed data, as the function f(w) -> (E, g) of flat float64 weights that
// scipy.optimize.minimize(f, w0, jac=True) takes. The network is copied: evaluating at any w
// never changes the caller's network. Conversion only; the core's LocalObjective computes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "checked_arrays.hpp"
#include "deltaprop/deltaprop.hpp"

namespace py = pybind11;
using namespace deltaprop;

namespace {

template <class T>
class BoundObjective {
public:
    BoundObjective(const Network<T>& net, py::handle X, py::handle Y, const std::string& penalty,
                   double lambda)
        : net_(net), x_(deltaprop_py::input_rows<T>(X, net.layout().n_inputs())),
          y_(deltaprop_py::target_rows<T>(Y, net.layout().n_outputs(), x_.n, x_.single)),
          data_{x_.data(), y_.data(), x_.n},
          evaluator_(net.layout()),
          objective_(net_, evaluator_, data_, regularizer(penalty, lambda, x_.n)) {
        check_data(net_, data_);
    }

    std::size_t n_weights() const { return net_.n_weights(); }
    std::size_t evaluations() const { return objective_.evaluations(); }

    /// (E_aug(w), ∇E_aug(w)) with w and the gradient flat float64, in get_flat_weights' order.
    py::tuple operator()(py::handle w_in) {
        auto w = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(w_in);
        const std::size_t n = net_.n_weights();
        if (!w || w.ndim() != 1 || std::size_t(w.shape(0)) != n)
            throw py::value_error("w must be flat weights of shape (" + std::to_string(n) + ",)");
        deltaprop_py::check_finite(w.data(), n, "w");
        std::vector<T> wt(w.data(), w.data() + n), g(n);
        auto grad = py::array_t<double>(py::ssize_t(n));
        Evaluation at;
        {
            py::gil_scoped_release nogil;
            std::lock_guard<std::mutex> lock(mutex_);  // one evaluator: one call at a time
            at = objective_.value_and_gradient(wt.data(), g.data());
        }
        std::copy(g.begin(), g.end(), grad.mutable_data());
        return py::make_tuple(at.augmented, grad);
    }

private:
    static Regularizer regularizer(const std::string& penalty, double lambda, std::size_t n) {
        FitOptions o;
        o.penalty = penalty;
        o.lambda = lambda;
        o.validate();  // the penalty's name and λ's range
        return o.regularizer(n);
    }

    Network<T> net_;
    deltaprop_py::Rows<T> x_, y_;
    Data<T> data_;
    Evaluator<T> evaluator_;
    LocalObjective<T> objective_;
    std::mutex mutex_;
};

template <class T>
void bind(py::module_& m, const char* name) {
    using O = BoundObjective<T>;
    py::class_<O>(m, name, "E_aug and its gradient on fixed data (use Network.objective).")
        // positional (net, X, y, penalty, λ): "lambda" cannot name a parameter in Python
        .def(py::init<const Network<T>&, py::handle, py::handle, const std::string&, double>())
        .def("__call__", &O::operator(), py::arg("w"))
        .def_property_readonly("n_weights", &O::n_weights)
        .def_property_readonly("evaluations", &O::evaluations);
}

}  // namespace

void bind_objective(py::module_& m) {
    bind<double>(m, "Objective64");
    bind<float>(m, "Objective32");
}
