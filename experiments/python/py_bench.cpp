#include "experiments/python/py_bench.h"

#include <torch/torch.h>

#include "core/errors.h"
#include "experiments/python/py_convert.h"
#include "nets/generation_bench.h"
#include "nets/model_loading.h"
#include "nets/model_registry.h"

namespace wn::python {
namespace {

py::dict case_dict(const BenchCase& c) {
  py::dict d;
  d["method"] = c.method;
  d["precision"] = c.precision;
  d["kernels"] = c.kernels;
  d["batch"] = c.batch;
  d["threads"] = c.threads;
  d["samples"] = c.samples;
  d["seconds"] = c.seconds;
  d["samples_per_second"] = c.samples_per_second;
  d["real_time_factor"] = c.real_time_factor;
  d["flops_per_sample"] = c.flops_per_sample;
  d["gflops"] = c.gflops;
  d["fold"] = c.fold;
  d["stream"] = c.stream;
  d["lookahead_samples"] = c.lookahead_samples;
  return d;
}

py::dict bench(const py::object& model_source, const py::object& overrides, int batch, int threads, double seconds,
               const std::string& precision, const std::string& kernels, bool baselines, int64_t baseline_steps,
               const py::object& fold, bool stream) {
  if (batch < 1 || threads < 1 || !(seconds > 0)) throw UserError("batch, threads and seconds must be positive");
  if (precision != "fp32" && precision != "bf16") throw UserError("precision=" + precision + ": give fp32 or bf16");
  GenerationBenchOptions options;
  options.batch = batch;
  options.threads = threads;
  options.seconds = seconds;
  options.precision = precision;
  options.kernels = kernels;
  options.baselines = baselines;
  options.baseline_steps = baseline_steps;
  options.stream = stream;
  options.fold = fold_number(fold);
  if (stream && options.fold != 1) throw UserError("stream and fold are two ways to run one utterance; pick one");

  // A checkpoint's trained weights, or a preset's model with random weights as `wavenet bench --preset` makes it.
  Config config;
  std::shared_ptr<Model> model;
  if (names_checkpoint(model_source)) {
    if (!override_strings(overrides).empty()) throw UserError("overrides: a checkpoint's model is fixed; give overrides with a preset or config");
    LoadedModel loaded = load_model(path_text(model_source), true);
    config = loaded.config;
    model = loaded.model;
  } else {
    config = config_from_python(model_source, overrides);
    torch::manual_seed(static_cast<uint64_t>(config.train.seed));
    model = build_model(config, std::max(1, config.model.n_labels));
    model->module().eval();
  }
  GenerationBenchReport report;
  {
    py::gil_scoped_release unlocked;
    report = run_generation_bench(*model, config, options);
  }
  py::dict d;
  d["model"] = model->describe();
  d["sample_rate"] = config.audio.sample_rate;
  d["peak_gflops"] = report.peak.gflops;
  d["read_gbytes_per_s"] = report.peak.read_gbytes_per_s;
  d["weight_bytes_per_step"] = report.weight_bytes_per_step;
  d["weights_bound_steps_per_s"] = report.weights_bound_steps_per_s;
  py::list cases;
  for (const BenchCase& c : report.cases) cases.append(case_dict(c));
  d["cases"] = cases;
  py::dict speedups;
  for (std::size_t i = 1; i < report.cases.size(); ++i) {
    speedups[py::str(report.cases[i].method)] = report.cases.front().samples_per_second / report.cases[i].samples_per_second;
  }
  d["speedup"] = speedups;
  return d;
}

}  // namespace

void register_bench(py::module_& m) {
  m.def("bench", &bench, py::arg("model") = "tiny", py::arg("overrides") = py::none(), py::arg("batch") = 1, py::arg("threads") = 1,
        py::arg("seconds") = 2.0, py::arg("precision") = "fp32", py::arg("kernels") = "", py::arg("baselines") = true,
        py::arg("baseline_steps") = 0, py::arg("fold") = py::int_(1), py::arg("stream") = false,
        "Generation speed as `wavenet bench` measures it. model: a preset (random weights), a config file, a dict,\n"
        "or a checkpoint/run directory (its weights). Returns {'model', 'sample_rate', 'peak_gflops', ..., 'cases': [one\n"
        "dict per method, the engine first], 'speedup': {baseline: engine speed / its speed}}.");
}

}  // namespace wn::python
