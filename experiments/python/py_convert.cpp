#include "experiments/python/py_convert.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "experiments/cli_common.h"
#include "experiments/clip_generation.h"
#include "nets/model_loading.h"

namespace wn::python {

namespace fs = std::filesystem;

py::array_t<float> to_numpy(std::vector<float> values, const std::vector<py::ssize_t>& shape) {
  auto* owned = new std::vector<float>(std::move(values));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<float>*>(p); });
  return py::array_t<float>(shape, owned->data(), free_when_done);
}

std::vector<float> float_values(const py::handle& array, int dims, int width, const std::string& what) {
  using Floats = py::array_t<float, py::array::c_style | py::array::forcecast>;
  Floats a = Floats::ensure(array);
  if (!a) {
    PyErr_Clear();
    throw UserError(what + ": expected an array of numbers");
  }
  const std::string shape = dims == 1 ? "a 1-D array (samples)" : "a 2-D array (frames, " + std::to_string(width) + ")";
  if (a.ndim() != dims || (dims == 2 && width > 0 && a.shape(1) != width)) {
    std::string got = "(";
    for (py::ssize_t d = 0; d < a.ndim(); ++d) got += (d ? ", " : "") + std::to_string(a.shape(d));
    throw UserError(what + ": expected " + shape + ", got shape " + got + (a.ndim() == 1 ? ",)" : ")"));
  }
  std::vector<float> values(a.data(), a.data() + a.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) throw UserError(what + ": value " + std::to_string(i) + " is not a finite number");
  }
  return values;
}

bool is_sequence(const py::handle& value) { return py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value); }

bool is_integer(const py::handle& value) { return py::isinstance<py::int_>(value) && !py::isinstance<py::bool_>(value); }

int fold_number(const py::handle& fold) {
  if (!py::isinstance<py::str>(fold) && !is_integer(fold)) throw UserError("fold: give auto or a number of pieces (1: off)");
  return cli::fold_setting(py::str(fold).cast<std::string>(), "fold");
}

UtteranceFeatures features_of(const py::handle& audio, int sample_rate, const AudioConfig& recipe, const std::string& what) {
  if (sample_rate < 0) throw UserError(what + ": sample_rate " + std::to_string(sample_rate) + " is negative (0: the recipe's)");
  std::vector<float> samples = float_values(audio, 1, 0, what);
  try {
    return features_from_audio(std::move(samples), sample_rate > 0 ? sample_rate : recipe.sample_rate, recipe, MelSpectrogram(recipe));
  } catch (const std::invalid_argument& e) {  // too short for a frame, and the like
    throw UserError(what + ": " + e.what());
  }
}

py::array_t<float> mel_array(const py::handle& audio, int sample_rate, const AudioConfig& recipe) {
  UtteranceFeatures f = features_of(audio, sample_rate, recipe, "audio");
  return to_numpy(std::move(f.mel), {static_cast<py::ssize_t>(f.frames), recipe.n_mels});
}

namespace {

// A plain scalar as the type a YAML reader would give it: bool, int, float, None or str.
py::object scalar_to_python(const std::string& text) {
  if (text == "true") return py::bool_(true);
  if (text == "false") return py::bool_(false);
  if (text == "~" || text == "null") return py::none();
  if (text.empty()) return py::str(text);
  char* end = nullptr;
  const long long i = std::strtoll(text.c_str(), &end, 10);
  if (*end == '\0') return py::int_(i);
  const double d = std::strtod(text.c_str(), &end);
  if (*end == '\0') return py::float_(d);
  if (text == ".inf") return py::float_(HUGE_VAL);
  if (text == "-.inf") return py::float_(-HUGE_VAL);
  return py::str(text);
}

void emit_python(YAML::Emitter& out, const py::handle& value) {
  if (py::isinstance<py::dict>(value)) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(value)) {
      out << YAML::Key << py::str(k).cast<std::string>() << YAML::Value;
      emit_python(out, v);
    }
    out << YAML::EndMap;
  } else if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    out << YAML::BeginSeq;
    for (const auto& v : value) emit_python(out, v);
    out << YAML::EndSeq;
  } else if (py::isinstance<py::bool_>(value)) {
    out << (value.cast<bool>() ? "true" : "false");
  } else if (value.is_none()) {
    out << YAML::Null;
  } else {
    out << py::str(value).cast<std::string>();
  }
}

}  // namespace

std::string path_text(const py::handle& source) {
  return py::str(py::module_::import("os").attr("fspath")(source)).cast<std::string>();
}

bool names_checkpoint(const py::handle& source) {
  if (source.is_none() || py::isinstance<py::dict>(source)) return false;
  const fs::path path = path_text(source);
  std::error_code ec;
  return fs::is_directory(path, ec) || path.extension() == ".pt";
}

py::object yaml_to_python(const YAML::Node& node) {
  if (node.IsMap()) {
    py::dict d;
    for (const auto& kv : node) d[py::str(kv.first.as<std::string>())] = yaml_to_python(kv.second);
    return std::move(d);
  }
  if (node.IsSequence()) {
    py::list l;
    for (const auto& v : node) l.append(yaml_to_python(v));
    return std::move(l);
  }
  if (node.IsScalar()) return node.Tag() == "!" ? py::str(node.Scalar()) : scalar_to_python(node.Scalar());  // "!": quoted
  return py::none();
}

std::vector<std::string> override_strings(const py::handle& overrides) {
  std::vector<std::string> out;
  if (overrides.is_none()) return out;
  if (py::isinstance<py::dict>(overrides)) {
    for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(overrides)) {
      const std::string value = py::isinstance<py::bool_>(v) ? (v.cast<bool>() ? "true" : "false") : py::str(v).cast<std::string>();
      out.push_back(py::str(k).cast<std::string>() + "=" + value);
    }
    return out;
  }
  if (py::isinstance<py::str>(overrides)) throw UserError("overrides: give a list of \"key=value\" strings or a dict, not one string");
  for (const auto& o : overrides) out.push_back(py::str(o).cast<std::string>());
  return out;
}

Config config_from_python(const py::handle& source, const py::handle& overrides) {
  const std::vector<std::string> changes = override_strings(overrides);
  if (py::isinstance<py::dict>(source)) {
    YAML::Emitter out;
    emit_python(out, source);
    return config_from_yaml(out.c_str(), "the dict given", changes);
  }
  cli::ConfigArgs args;
  if (!source.is_none()) args.config = path_text(source);
  if (names_checkpoint(source)) {
    if (!changes.empty()) throw UserError(args.config + ": a checkpoint's recipe is fixed; give overrides with a config instead");
    return load_model(args.config, true).config;
  }
  args.overrides = changes;
  return args.resolve();
}

py::dict config_to_python(const Config& config) {
  return py::dict(yaml_to_python(YAML::Load(config_to_yaml(config))));
}

}  // namespace wn::python
