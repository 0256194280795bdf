#pragma once
// What the Python module's parts share: float32 NumPy arrays in and out (out without a copy:
// the array owns the vector), YAML trees as Python dicts and back, and a Config from whatever
// a Python caller names one with.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "core/config/config.h"
#include "dataio/features.h"

namespace YAML {
class Node;
}

namespace wn::python {

namespace py = pybind11;

// A float32 array of `shape` that takes ownership of `values` (no copy).
py::array_t<float> to_numpy(std::vector<float> values, const std::vector<py::ssize_t>& shape);

// An array-like of `dims` dimensions (the last `width` wide unless width is 0) as float32 values,
// row-major. Throws UserError naming `what` when it is not one, or holds a NaN or infinity.
std::vector<float> float_values(const py::handle& array, int dims, int width, const std::string& what);

// A list or tuple (several inputs), not an array.
bool is_sequence(const py::handle& value);
// A Python int (not a bool, not a float).
bool is_integer(const py::handle& value);

// fold= as engine.fold: "auto" (0) or a number of pieces from 1 to 256, as --fold takes it.
int fold_number(const py::handle& fold);

// Audio (1-D, at `sample_rate`, 0 meaning the recipe's) through the recipe: resampled, cleaned,
// its log-mel. Throws UserError naming `what` for bad audio.
UtteranceFeatures features_of(const py::handle& audio, int sample_rate, const AudioConfig& recipe, const std::string& what);
// Its log-mel as a (frames, n_mels) array.
py::array_t<float> mel_array(const py::handle& audio, int sample_rate, const AudioConfig& recipe);

py::object yaml_to_python(const YAML::Node& node);

// key=value overrides from a list of "key=value" strings or a dict {"key": value}.
std::vector<std::string> override_strings(const py::handle& overrides);

// A str or os.PathLike as a path's text.
std::string path_text(const py::handle& source);

// A checkpoint file (.pt) or run directory, rather than a preset, a YAML file or a dict.
bool names_checkpoint(const py::handle& source);

// A resolved config from a preset name, a YAML file, a checkpoint or run directory (its model's
// config), or a dict shaped like a config file, with overrides on top (not for checkpoints,
// whose recipe is fixed). Throws UserError / ConfigError with the CLI's messages.
Config config_from_python(const py::handle& source, const py::handle& overrides);

// The config as nested dicts, as `wavenet config show` prints it.
py::dict config_to_python(const Config& config);

}  // namespace wn::python
