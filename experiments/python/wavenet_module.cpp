// The `wavenet` Python module: the toolchain's fast parts without leaving Python. Errors are
// wavenet.Error (wavenet.ConfigError, wavenet.IoError) with the CLI's one-line messages.

#include <c10/util/Exception.h>
#include <pybind11/pybind11.h>

#include "build_info.h"
#include "core/errors.h"
#include "experiments/cli_common.h"
#include "experiments/python/py_bench.h"
#include "experiments/python/py_convert.h"
#include "experiments/python/py_model.h"
#include "experiments/python/py_shards.h"

namespace py = pybind11;

namespace wn::python {
namespace {

py::array_t<float> mel(const py::object& audio, const py::object& config_or_checkpoint, int sample_rate, const py::object& overrides) {
  return mel_array(audio, sample_rate, config_from_python(config_or_checkpoint, overrides).audio);
}

}  // namespace
}  // namespace wn::python

PYBIND11_MODULE(wavenet, m) {
  using namespace wn::python;
  m.doc() = "WaveNet toolchain: load models of any family and synthesise with the fast CPU engine, compute mels,\n"
            "read preprocessed shards, resolve configs and benchmark generation. Errors: wavenet.Error.";
  m.attr("__version__") = WAVENET_VERSION;
  // Derived types after the base: pybind11 tries the newest translator first.
  static py::exception<wn::UserError> error(m, "Error", PyExc_RuntimeError);
  static py::exception<wn::ConfigError> config_error(m, "ConfigError", error.ptr());
  static py::exception<wn::IoError> io_error(m, "IoError", error.ptr());
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const wn::ConfigError& e) {
      config_error(e.what());
    } catch (const wn::IoError& e) {
      io_error(e.what());
    } catch (const wn::UserError& e) {
      error(e.what());
    } catch (const c10::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what_without_backtrace());  // as the program prints LibTorch's errors
    }
  });
  wn::cli::set_compute_threads(0);  // as the CLI: Debian's LibTorch otherwise starts with one thread

  register_model(m);
  register_shards(m);
  register_bench(m);
  m.def("config", [](const py::object& name_or_path, const py::object& overrides) { return config_to_python(config_from_python(name_or_path, overrides)); },
        py::arg("name_or_path") = py::none(), py::arg("overrides") = py::none(),
        "The resolved, validated config as dicts: a preset name, a YAML file, a checkpoint or run directory, or None\n"
        "(defaults); overrides: [\"model.layers=30\"] or {\"model.layers\": 30}.");
  m.def("mel", &mel, py::arg("audio"), py::arg("config_or_checkpoint") = py::none(), py::arg("sample_rate") = 0,
        py::arg("overrides") = py::none(),
        "The log-mel of a 1-D float array as preprocess makes it (resampled from sample_rate, default the recipe's,\n"
        "cleaned, compressed): (frames, n_mels) float32. config_or_checkpoint: as wavenet.config takes it.");
}
