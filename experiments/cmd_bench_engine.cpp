// `wavenet bench [--preset NAME|--config F|--checkpoint F] [--batch B] [--threads T] ...`:
// generation speed of a model family's fast generator against its baselines, as a table and
// as JSON.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "build_info.h"
#include "core/atomic_file.h"
#include "core/config/config_io.h"
#include "core/cpu_features.h"
#include "core/errors.h"
#include "experiments/charts.h"
#include "experiments/cli_common.h"
#include "experiments/clip_generation.h"
#include "nets/generation_bench.h"
#include "nets/model_loading.h"
#include "nets/model_registry.h"

namespace wn::cli {
namespace {

struct EngineBenchArgs {
  std::string preset;
  std::string checkpoint;
  std::string json;
  std::string plot;
  ConfigArgs config;
  GenerationBenchOptions options;
  bool no_baselines = false;
  std::string fold = "1";
};

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string to_json(const GenerationBenchReport& report, const std::string& preset, int sample_rate) {
  std::ostringstream out;
  out.precision(6);
  out << "[\n";
  for (std::size_t i = 0; i < report.cases.size(); ++i) {
    const BenchCase& c = report.cases[i];
    out << "  {\"preset\": " << json_string(preset) << ", \"method\": " << json_string(c.method)
        << ", \"batch\": " << c.batch << ", \"threads\": " << c.threads << ", \"precision\": " << json_string(c.precision)
        << ", \"kernels\": " << json_string(c.kernels) << ", \"sample_rate\": " << sample_rate
        << ", \"samples\": " << c.samples << ", \"seconds\": " << c.seconds
        << ", \"samples_per_second\": " << c.samples_per_second << ", \"real_time_factor\": " << c.real_time_factor
        << ", \"flops_per_sample\": " << c.flops_per_sample << ", \"gflops\": " << c.gflops
        << ", \"peak_gflops\": " << report.peak.gflops << ", \"peak_fraction\": " << c.gflops / report.peak.gflops
        << ", \"read_bandwidth_gbytes_per_s\": " << report.peak.read_gbytes_per_s
        << ", \"weight_bytes_per_step\": " << report.weight_bytes_per_step
        << ", \"weights_read_gbytes_per_s\": " << report.weights_read_gbytes_per_s
        << ", \"weights_bound_steps_per_s\": " << report.weights_bound_steps_per_s << ", \"barrier_ns\": " << report.barrier_ns
        << ", \"fold\": " << c.fold << ", \"stream\": " << (c.stream ? "true" : "false")
        << ", \"lookahead_samples\": " << c.lookahead_samples
        << ", \"parts_seconds\": {\"conditioning\": " << c.parts.conditioning_seconds
        << ", \"layers\": " << c.parts.layers_seconds << ", \"output\": " << c.parts.output_seconds
        << ", \"sampling\": " << c.parts.sampling_seconds << "}}" << (i + 1 < report.cases.size() ? "," : "") << "\n";
  }
  out << "]\n";
  return out.str();
}

void run(EngineBenchArgs& args) {
  Config config;
  std::shared_ptr<Model> model;
  std::string name = args.preset;
  if (!args.checkpoint.empty()) {
    LoadedModel loaded = load_model(args.checkpoint, true);
    config = loaded.config;
    model = loaded.model;
    name = args.checkpoint;
  } else {
    if (!args.preset.empty()) args.config.config = args.preset;
    if (name.empty()) name = args.config.config.empty() ? "default" : args.config.config;
    config = args.config.resolve();
    torch::manual_seed(static_cast<uint64_t>(config.train.seed));
    model = build_model(config, std::max(1, config.model.n_labels));
    model->module().eval();
  }
  args.options.baselines = !args.no_baselines;
  args.options.fold = fold_setting(args.fold, "--fold");
  if (args.options.stream && args.options.fold != 1) throw UserError("--stream and --fold are two ways to run one utterance; pick one");
  const GenerationBenchReport report = run_generation_bench(*model, config, args.options);
  const auto& w = report;
  std::printf("wavenet %s bench: %s, %s, %d Hz; CPU: %s\n", WAVENET_VERSION, name.c_str(), model->describe().c_str(),
              config.audio.sample_rate, describe(cpu_features()).c_str());
  std::printf("machine (%d threads, measured now): %.1f GFLOP/s FMA peak (%s), %.1f GB/s streaming read; per-step "
              "weights %.2f MB\n",
              args.options.threads, w.peak.gflops, w.peak.isa, w.peak.read_gbytes_per_s,
              w.weight_bytes_per_step / 1e6);
  if (w.weights_read_gbytes_per_s > 0) {
    std::printf("rereading each thread's share of those weights: %.1f GB/s, so at most %.0f steps/s; barrier %.0f ns\n",
                w.weights_read_gbytes_per_s, w.weights_bound_steps_per_s, w.barrier_ns);
  }
  std::printf("%-22s %6s %5s %7s %7s %12s %9s %12s %8s %7s\n", "method", "batch", "thr", "prec", "kernels", "samples/s",
              "x realtm", "MFLOP/sample", "GFLOP/s", "% peak");
  for (const BenchCase& c : report.cases) {
    std::printf("%-22s %6d %5d %7s %7s %12.0f %9.3f %12.2f %8.2f %6.1f%%\n", bench_case_label(c).c_str(), c.batch, c.threads,
                c.precision.c_str(), c.kernels.c_str(), c.samples_per_second, c.real_time_factor,
                c.flops_per_sample / 1e6, c.gflops, 100.0 * c.gflops / w.peak.gflops);
  }
  const BenchCase& e = report.cases.front();
  if (e.stream) std::printf("streaming look-ahead: %lld samples (%.1f ms) after the frame that covers them\n",
                            static_cast<long long>(e.lookahead_samples), 1e3 * e.lookahead_samples / config.audio.sample_rate);
  if (e.parts.layers_seconds > 0) {
    std::printf("engine parts: conditioning %.3f s, layers %.3f s, output %.3f s, sampling %.3f s (of %.3f s)\n",
                e.parts.conditioning_seconds, e.parts.layers_seconds, e.parts.output_seconds, e.parts.sampling_seconds, e.seconds);
  }
  for (std::size_t i = 1; i < report.cases.size(); ++i) {
    std::printf("engine speed-up over %s: %.1fx\n", report.cases[i].method.c_str(),
                e.samples_per_second / report.cases[i].samples_per_second);
  }
  if (!args.json.empty()) {
    write_file_atomically(args.json, to_json(report, name, config.audio.sample_rate));
    std::printf("wrote %s\n", args.json.c_str());
  }
  if (!args.plot.empty()) {
    const GenerationBenchOptions& o = args.options;
    write_speed_chart(args.plot, report, name + ": generation speed, batch " + std::to_string(o.batch) + ", " + std::to_string(o.threads) +
                                             (o.threads == 1 ? " thread, " : " threads, ") + o.precision);
    std::printf("wrote %s\n", args.plot.c_str());
  }
}

}  // namespace

void register_bench_engine(CLI::App& bench) {
  auto args = std::make_shared<EngineBenchArgs>();
  bench.add_option("--preset", args->preset, "preset with random weights (tiny, r64k2, mol24, mulaw30, samplernn-tiny, samplernn)");
  bench.add_option("--checkpoint", args->checkpoint, "a trained checkpoint or run directory instead of a preset");
  bench.add_option("--batch", args->options.batch, "utterances generated in lockstep")->capture_default_str()->check(CLI::Range(1, 4096));
  bench.add_option("--threads", args->options.threads, "engine threads")->capture_default_str()->check(CLI::Range(1, 256));
  bench.add_option("--seconds", args->options.seconds, "seconds of audio the engine generates")->capture_default_str()->check(CLI::PositiveNumber);
  bench.add_option("--precision", args->options.precision, "fp32 or bf16 weight storage")->capture_default_str()->check(CLI::IsMember({"fp32", "bf16"}));
  bench.add_option("--kernels", args->options.kernels, "force scalar, avx2, avx512, avx512bf16 or avx512bf16-emulated kernels (one this CPU lacks: the best it has; the output names the table used)");
  bench.add_option("--json", args->json, "also write one JSON object per case to this file");
  bench.add_option("--plot", args->plot, "also draw the methods' speeds as a bar chart (PNG)");
  bench.add_flag("--no-baselines", args->no_baselines, "time only the engine");
  bench.add_option("--fold", args->fold, "time one utterance of --seconds folded into N pieces generated as a batch, or auto")->capture_default_str();
  bench.add_flag("--stream", args->options.stream, "time one utterance of --seconds streamed one mel frame at a time");
  bench.add_option("--baseline-steps", args->options.baseline_steps, "steps timed for the LibTorch reference baseline (default: the family's choice)");
  add_config_options(bench, args->config);
  bench.callback([&bench, args] {
    if (bench.get_subcommands().empty()) run(*args);
  });
}

}  // namespace wn::cli
