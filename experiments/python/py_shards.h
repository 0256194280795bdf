#pragma once
// wavenet.Shards(dir): a preprocessed corpus's utterances as dicts of NumPy arrays, by index
// and by iteration, so a PyTorch DataLoader (a map-style dataset: len and []) can wrap it.

#include <pybind11/pybind11.h>

namespace wn::python {

void register_shards(pybind11::module_& m);

}  // namespace wn::python
