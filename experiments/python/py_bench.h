#pragma once
// wavenet.bench(...): `wavenet bench`'s measurement (the fast generator against its baselines on
// the same model, in one process) as a dict.

#include <pybind11/pybind11.h>

namespace wn::python {

void register_bench(pybind11::module_& m);

}  // namespace wn::python
