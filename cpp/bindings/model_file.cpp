// model_file.cpp — bindings of deltaprop/model_file.hpp (save and load of networks).
#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_model_file(py::module_& m) { (void)m; }
