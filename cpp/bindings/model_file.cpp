// model_file.cpp — bindings of deltaprop/model_file.hpp (save and load of networks).
// Conversion only: Python bytes and numpy arrays in and out, the GIL released while the core
// encodes, decodes and writes, and deltaprop::ModelFileError raised as
// deltaprop.ModelFileError (a ValueError with .kind and .path), or as OSError when the
// operating system refused.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "deltaprop/model_codec.hpp"
#include "deltaprop/model_file.hpp"

namespace py = pybind11;
using namespace deltaprop;

namespace {

/// [(name, float64 array), ...] (checked by deltaprop.model_file) to the core's extra arrays.
std::vector<ExtraArray> extras_from_python(const py::list& items) {
    std::vector<ExtraArray> out;
    for (py::handle item : items) {
        auto pair = item.cast<py::tuple>();
        auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(pair[1]);
        if (!a) throw py::error_already_set();
        ExtraArray e;
        e.name = pair[0].cast<std::string>();
        for (py::ssize_t k = 0; k < a.ndim(); ++k) e.shape.push_back(std::uint64_t(a.shape(k)));
        e.values.assign(a.data(), a.data() + a.size());
        out.push_back(std::move(e));
    }
    return out;
}

/// (network, [(name, float64 array with its shape), ...]) for Python.
py::tuple model_to_python(Model&& model) {
    py::list extras;
    for (ExtraArray& e : model.extras) {
        std::vector<py::ssize_t> shape(e.shape.begin(), e.shape.end());
        py::array_t<double> a(shape);
        std::copy(e.values.begin(), e.values.end(), a.mutable_data());
        extras.append(py::make_tuple(e.name, a));
    }
    py::object net = std::visit([](auto&& n) { return py::cast(std::move(n)); }, model.network);
    return py::make_tuple(net, extras);
}

/// A bytes-like object (bytes, bytearray, memoryview) as a pointer and size.
std::pair<const std::uint8_t*, std::size_t> byte_span(const py::buffer_info& info) {
    if (info.itemsize != 1 || info.ndim != 1 || (info.size > 1 && info.strides[0] != 1))
        throw py::type_error("model data must be contiguous bytes (bytes, bytearray, memoryview)");
    return {static_cast<const std::uint8_t*>(info.ptr), std::size_t(info.size)};
}

template <class T>
void bind_writers(py::module_& m) {
    m.def(
        "model_to_bytes",
        [](const Network<T>& net, const py::list& extras) {
            auto core_extras = extras_from_python(extras);
            std::vector<std::uint8_t> bytes;
            {
                py::gil_scoped_release nogil;
                bytes = model_to_bytes(net, core_extras);
            }
            return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        },
        py::arg("net"), py::arg("extras"));
    m.def(
        "save_model",
        [](const std::string& path, const Network<T>& net, const py::list& extras) {
            auto core_extras = extras_from_python(extras);
            py::gil_scoped_release nogil;
            save_model(path, net, core_extras);
        },
        py::arg("path"), py::arg("net"), py::arg("extras"));
}

PyObject* model_file_error_type(py::module_* m = nullptr) {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
    return storage
        .call_once_and_store_result([m]() {
            py::object type = py::exception<ModelFileError>(*m, "ModelFileError", PyExc_ValueError);
            type.attr("__doc__") =
                "A model file or model bytes that cannot be read or written.\n\n"
                "Attributes\n----------\n"
                "kind : str\n    What is wrong: 'bad_magic' (not a deltaprop model file), "
                "'truncated', 'corrupt' (checksum mismatch or bytes appended), "
                "'wrong_version', 'wrong_kind', 'wrong_dtype' or 'invalid' (inconsistent "
                "contents under a correct checksum).\n"
                "path : str or None\n    The file concerned, if any.\n";
            type.attr("kind") = py::none();
            type.attr("path") = py::none();
            return type;
        })
        .get_stored()
        .ptr();
}

/// A message or path from the core as str; bytes that are not UTF-8 (a file name can hold
/// any) are replaced rather than turned into a second error.
py::object text(const std::string& s) {
    return py::reinterpret_steal<py::object>(
        PyUnicode_DecodeUTF8(s.data(), py::ssize_t(s.size()), "replace"));
}

void translate(std::exception_ptr p) {
    try {
        if (p) std::rethrow_exception(p);
    } catch (const ModelFileError& e) {
        if (e.kind() == ModelFileError::Kind::io) {
            // OSError(errno, message) becomes FileNotFoundError, PermissionError, ... by errno.
            py::object err = py::module_::import("builtins").attr("OSError")(e.error_number(), text(e.what()));
            err.attr("filename") = text(e.path());
            PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(err.ptr())), err.ptr());
            return;
        }
        py::handle type = model_file_error_type();
        py::object err = type(text(e.what()));
        err.attr("kind") = to_string(e.kind());
        err.attr("path") = e.path().empty() ? py::object(py::none()) : text(e.path());
        PyErr_SetObject(type.ptr(), err.ptr());
    }
}

}  // namespace

void bind_model_file(py::module_& m) {
    model_file_error_type(&m);
    py::register_exception_translator(&translate);
    bind_writers<double>(m);
    bind_writers<float>(m);
    m.def(
        "model_from_bytes",
        [](const py::buffer& data) {
            const py::buffer_info info = data.request();
            const auto span = byte_span(info);
            Model model = [&] {
                py::gil_scoped_release nogil;
                return model_from_bytes(span.first, span.second);
            }();
            return model_to_python(std::move(model));
        },
        py::arg("data"));
    m.def(
        "load_model",
        [](const std::string& path) {
            Model model = [&] {
                py::gil_scoped_release nogil;
                return load_model(path);
            }();
            return model_to_python(std::move(model));
        },
        py::arg("path"));
}
