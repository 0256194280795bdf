#pragma once
// wavenet.load(path): a trained model of any family in Python, generating with the same engine
// and settings as `wavenet synth`, so the same seed gives the same samples.

#include <pybind11/pybind11.h>

namespace wn::python {

void register_model(pybind11::module_& m);

}  // namespace wn::python
