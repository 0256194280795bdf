#include "nets/engine/engine_bench.h"

#include <ATen/Parallel.h>

#include <chrono>
#include <cmath>

#include "core/log.h"
#include "nets/outputs/output_distribution.h"

namespace wn {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Inputs of a generation request with random conditioning for `samples` steps.
GenerationRequest random_request(WaveNet& net, const Config& config, int batch, int64_t samples) {
  GenerationRequest r;
  const int hop = config.audio.hop_length;
  const int64_t frames = (samples + hop - 1) / hop;
  if (config.model.local_conditioning) {
    r.mel = torch::randn({batch, frames + 2 * net->context_frames(), config.audio.n_mels}) * 0.5 - 4.0;
  }
  if (config.model.global_conditioning) r.labels = torch::zeros({batch}, torch::kLong);
  r.samples = samples;
  r.batch = batch;
  return r;
}

BenchCase finish(BenchCase c, const Config& config, double flops_per_sample) {
  c.samples_per_second = c.samples * c.batch / c.seconds;
  c.real_time_factor = c.samples_per_second / config.audio.sample_rate;
  c.flops_per_sample = flops_per_sample;
  c.gflops = c.samples_per_second * flops_per_sample / 1e9;
  return c;
}

// Per sample: one full forward over the last receptive-field samples, keep the last output.
BenchCase naive_case(WaveNet& net, const Config& config, const EngineBenchOptions& o, double flops) {
  torch::NoGradGuard no_grad;
  const auto dist = make_output_distribution(config.model);
  const int64_t field = net->receptive_field();
  const int64_t steps = o.naive_steps;
  GenerationRequest r = random_request(net, config, o.batch, steps);
  const torch::Tensor local = r.mel.defined() ? net->upsample(r.mel) : torch::Tensor();
  torch::Tensor history = torch::zeros({o.batch, field});  // previous samples, newest last
  torch::Generator gen = at::detail::createCPUGenerator(1);
  const auto start = Clock::now();
  for (int64_t t = 0; t < steps; ++t) {
    // The window of conditioning ending at t (zeros before the utterance starts).
    torch::Tensor window_local;
    if (local.defined()) {
      const int64_t begin = t - field + 1;
      torch::Tensor part = local.narrow(2, std::max<int64_t>(0, begin), t - std::max<int64_t>(0, begin) + 1);
      window_local = begin < 0 ? torch::constant_pad_nd(part, {-begin, 0}) : part;
    }
    const torch::Tensor out = net->forward_upsampled(net->encode_input(history), window_local, r.labels);
    const torch::Tensor sample = dist->sample(out.select(2, field - 1), 1.0, gen);
    history = torch::cat({history.narrow(1, 1, field - 1), sample.unsqueeze(1)}, 1);
  }
  BenchCase c;
  c.method = "naive_recompute";
  c.precision = "fp32";
  c.kernels = "libtorch";
  c.batch = o.batch;
  c.threads = at::get_num_threads();
  c.samples = steps;
  c.seconds = since(start);
  return finish(c, config, flops);
}

BenchCase incremental_case(WaveNet& net, const Config& config, const EngineBenchOptions& o, double flops) {
  const auto dist = make_output_distribution(config.model);
  GenerationRequest r = random_request(net, config, o.batch, o.incremental_steps);
  torch::Generator gen = at::detail::createCPUGenerator(1);
  IncrementalGenerator generator(net, *dist);
  const auto start = Clock::now();
  generator.generate(r, gen);
  BenchCase c;
  c.method = "libtorch_incremental";
  c.precision = "fp32";
  c.kernels = "libtorch";
  c.batch = o.batch;
  c.threads = at::get_num_threads();
  c.samples = o.incremental_steps;
  c.seconds = since(start);
  return finish(c, config, flops);
}

}  // namespace

double model_flops_per_sample(const EngineWeights& w) {
  int64_t cond = 0;
  for (const auto& l : w.layers) cond += static_cast<int64_t>(l.local.k) * l.local.n;
  return 2.0 * static_cast<double>(w.macs_per_step() + cond);
}

EngineBenchReport run_engine_bench(WaveNet& net, const Config& config, const EngineBenchOptions& o) {
  EngineBenchReport report;
  at::set_num_threads(o.threads);
  report.peak = kernels::measure_machine_peak(o.threads);

  EngineOptions engine_options;
  engine_options.threads = o.threads;
  engine_options.precision = o.precision;
  if (!o.kernels.empty()) engine_options.kernels = &kernels::kernels_named(o.kernels);
  CachedEngine engine(net, engine_options);
  report.weight_bytes_per_step = engine.weights().step_weight_bytes();
  const double flops = model_flops_per_sample(engine.weights());

  const int64_t samples = std::max<int64_t>(1, static_cast<int64_t>(o.seconds * config.audio.sample_rate));
  GenerationRequest request = random_request(net, config, o.batch, samples);
  BenchCase c;
  c.method = "engine";
  c.precision = o.precision;
  c.kernels = engine.kernel_table().name;
  c.batch = o.batch;
  c.threads = o.threads;
  c.samples = samples;
  const auto start = Clock::now();
  engine.generate(request, 7, nullptr, &c.parts);
  c.seconds = since(start);
  report.cases.push_back(finish(c, config, flops));

  if (o.baselines) {
    WN_LOG(info) << "baseline: LibTorch incremental generator, " << o.incremental_steps << " steps";
    report.cases.push_back(incremental_case(net, config, o, flops));
    WN_LOG(info) << "baseline: naive recomputation over the receptive field, " << o.naive_steps << " steps";
    report.cases.push_back(naive_case(net, config, o, flops));
  }
  return report;
}

}  // namespace wn
