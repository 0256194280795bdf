#include "nets/generation_bench.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "core/errors.h"
#include "core/log.h"

namespace wn {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Inputs of a generation request with random conditioning for `samples` steps.
GenerationRequest random_request(const Config& config, int context_frames, int batch, int64_t samples) {
  GenerationRequest r;
  const int hop = config.audio.hop_length;
  const int64_t frames = (samples + hop - 1) / hop;
  if (config.model.local_conditioning) {
    r.mel = torch::randn({batch, frames + 2 * context_frames, config.audio.n_mels}) * 0.5 - 4.0;
  }
  if (config.model.global_conditioning) r.labels = torch::zeros({batch}, torch::kLong);
  r.samples = samples;
  r.batch = batch;
  return r;
}

BenchCase timed(Generator& generator, const std::string& method, const GenerationRequest& request, double flops,
                const Config& config) {
  const GeneratorFacts facts = generator.facts();
  BenchCase c;
  c.method = method;
  c.precision = facts.precision;
  c.kernels = facts.kernels;
  c.threads = facts.threads;
  c.batch = static_cast<int>(request.mel.defined() ? request.mel.size(0) : request.batch);
  c.samples = request.samples;
  const auto start = Clock::now();
  generator.generate(request, 7, nullptr, &c.parts);
  c.seconds = since(start);
  c.samples_per_second = c.samples * c.batch / c.seconds;
  c.real_time_factor = c.samples_per_second / config.audio.sample_rate;
  c.flops_per_sample = flops;
  c.gflops = c.samples_per_second * flops / 1e9;
  return c;
}

}  // namespace

GenerationBenchReport run_generation_bench(Model& model, const Config& config, const GenerationBenchOptions& o) {
  GenerationBenchReport report;
  at::set_num_threads(o.threads);
  FastGeneratorOptions fast;
  fast.threads = o.threads;
  fast.precision = o.precision;
  fast.kernels = o.kernels;
  const std::unique_ptr<Generator> generator = model.fast_generator(fast);
  if (!generator) throw UserError("model.type=" + config.model.type + " generates no audio; there is nothing to bench");
  report.peak = kernels::measure_machine_peak(o.threads);
  const GeneratorFacts facts = generator->facts();
  report.weight_bytes_per_step = facts.weight_bytes_per_step;
  const int context = model.data_needs().context_frames;

  const int64_t samples = std::max<int64_t>(1, static_cast<int64_t>(o.seconds * config.audio.sample_rate));
  report.cases.push_back(timed(*generator, "engine", random_request(config, context, o.batch, samples), facts.flops_per_sample, config));
  if (!o.baselines) return report;
  std::vector<BaselineGenerator> baselines = model.bench_baselines();
  for (std::size_t i = 0; i < baselines.size(); ++i) {
    BaselineGenerator& b = baselines[i];
    const int64_t steps = i == 0 && o.baseline_steps > 0 ? o.baseline_steps : b.steps;
    WN_LOG(info) << "baseline: " << b.method << ", " << steps << " steps";
    report.cases.push_back(timed(*b.generator, b.method, random_request(config, context, o.batch, steps), facts.flops_per_sample, config));
  }
  return report;
}

}  // namespace wn
