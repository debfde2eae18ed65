// checked_arrays.hpp — the one place where Python inputs are checked and converted.
//
// Every array that crosses into the core goes through rows_of(): it must be real-valued
// (bool, integer or floating; not complex, object, string or datetime), finite, non-empty, of
// the expected width, and is handed to the core as a C-contiguous array of the network's dtype
// (no copy when it already is one, one conversion otherwise). Violations raise TypeError
// (wrong kind of data) or ValueError (wrong shape or values) naming the argument.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>

namespace deltaprop_py {

namespace py = pybind11;

inline std::string shape_str(const py::array& a) {
    std::ostringstream out;
    out << "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) out << (i ? ", " : "") << a.shape(i);
    out << (a.ndim() == 1 ? ",)" : ")");
    return out.str();
}

/// numpy.asarray(obj), refusing what is not real numbers.
inline py::array as_real_array(py::handle obj, const char* name) {
    py::array a;
    try {
        a = py::module_::import("numpy").attr("asarray")(obj);
    } catch (py::error_already_set& e) {  // e.g. ragged nested lists
        if (!e.matches(PyExc_ValueError) && !e.matches(PyExc_TypeError)) throw;
        throw py::value_error(std::string(name) + " could not be read as an array: " +
                              std::string(py::str(e.value())));
    }
    const char kind = a.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
        throw py::type_error(std::string(name) + " must hold real numbers, got dtype " +
                             std::string(py::str(a.dtype())));
    return a;
}

template <class T>
void check_finite(const T* p, std::size_t n, const char* name) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(p[i])) {
            std::ostringstream msg;
            msg << name << " contains " << (std::isnan(p[i]) ? "NaN" : "an infinite value")
                << " (at flat index " << i << ")";
            throw py::value_error(msg.str());
        }
}

/// A checked, contiguous N × width matrix of T made from obj.
template <class T>
struct Rows {
    py::array_t<T, py::array::c_style> array;
    std::size_t n = 0;
    bool single = false;  ///< given as one point (a 1-D input vector)
    const T* data() const { return array.data(); }
};

/// Inputs X: shape (N, width), or (width,) for a single point.
template <class T>
Rows<T> input_rows(py::handle obj, std::size_t width, const char* name = "X") {
    py::array a = as_real_array(obj, name);
    Rows<T> r;
    if (a.ndim() == 1 && std::size_t(a.shape(0)) == width) {
        r.single = true;
        r.n = 1;
    } else if (a.ndim() == 2 && std::size_t(a.shape(1)) == width) {
        r.n = std::size_t(a.shape(0));
    } else {
        throw py::value_error(std::string(name) + " has shape " + shape_str(a) + ": expected (N, " +
                              std::to_string(width) + ") or (" + std::to_string(width) +
                              ",) for this network's d0 = " + std::to_string(width));
    }
    if (r.n == 0) throw py::value_error(std::string(name) + " is empty: it has 0 rows (N = 0)");
    r.array = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!r.array) throw py::type_error(std::string(name) + " could not be converted");
    check_finite(r.array.data(), r.n * width, name);
    return r;
}

/// Targets y for n points and width d^(L) outputs: (N, width), or (N,) when width is 1; for a
/// single point also a scalar or (width,).
template <class T>
Rows<T> target_rows(py::handle obj, std::size_t width, std::size_t n, bool single,
                    const char* name = "y") {
    py::array a = as_real_array(obj, name);
    bool ok = false;
    if (a.ndim() == 2) ok = std::size_t(a.shape(0)) == n && std::size_t(a.shape(1)) == width;
    if (a.ndim() == 1)
        ok = (width == 1 && std::size_t(a.shape(0)) == n) ||
             (single && std::size_t(a.shape(0)) == width);
    if (a.ndim() == 0) ok = single && width == 1;
    if (!ok) {
        std::string expected = "(" + std::to_string(n) + ", " + std::to_string(width) + ")";
        if (width == 1) expected += " or (" + std::to_string(n) + ",)";
        throw py::value_error(std::string(name) + " has shape " + shape_str(a) + ": expected " +
                              expected + " to match " + std::to_string(n) +
                              " rows of X and d^(L) = " + std::to_string(width) + " outputs");
    }
    Rows<T> r;
    r.n = n;
    r.single = single;
    r.array = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!r.array) throw py::type_error(std::string(name) + " could not be converted");
    check_finite(r.array.data(), n * width, name);
    return r;
}

}  // namespace deltaprop_py
