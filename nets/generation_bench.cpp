#include "nets/generation_bench.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "core/errors.h"
#include "core/log.h"
#include "nets/folded_synthesis.h"

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

BenchCase facts_case(const GeneratorFacts& facts, const std::string& method, double flops) {
  BenchCase c;
  c.method = method;
  c.precision = facts.precision;
  c.kernels = facts.kernels;
  c.threads = facts.threads;
  c.flops_per_sample = flops;
  return c;
}

void finish_case(BenchCase& c, double seconds, const Config& config) {
  c.seconds = seconds;
  c.samples_per_second = c.samples * c.batch / c.seconds;
  c.real_time_factor = c.samples_per_second / config.audio.sample_rate;
  c.gflops = c.samples_per_second * c.flops_per_sample / 1e9;
}

// One utterance folded into pieces generated as a batch (nets/folded_synthesis.h).
BenchCase timed_fold(Generator& generator, const GenerationRequest& request, int fold, int context, const Config& config) {
  const GeneratorFacts facts = generator.facts();
  if (!request.mel.defined()) throw UserError("--fold needs a mel-conditioned model");
  BenchCase c = facts_case(facts, "engine", facts.flops_per_sample);
  FoldOptions o;
  o.hop_length = config.audio.hop_length;
  o.context_frames = context;
  o.overlap_frames = fold_overlap_frames(facts.receptive_field_samples, o.hop_length);
  const at::Tensor mel = request.mel[0];
  o.segments = fold > 0 ? fold : automatic_fold(mel.size(0) - 2 * context, o.overlap_frames, kMaxAutomaticFold);
  c.fold = o.segments;
  const auto start = Clock::now();
  c.samples = static_cast<int64_t>(synthesize_folded(generator, mel, request.labels.defined() ? 0 : -1, 7, o).size());
  finish_case(c, since(start), config);
  return c;
}

// One utterance streamed a mel frame at a time, as a front end would feed it.
BenchCase timed_stream(Generator& generator, const GenerationRequest& request, const Config& config) {
  const GeneratorFacts facts = generator.facts();
  std::unique_ptr<GeneratorStream> stream = generator.stream(7, request.labels.defined() ? 0 : -1, 1.0);
  if (!stream || !request.mel.defined()) throw UserError("--stream: this model's generator cannot stream (it needs a mel-conditioned WaveNet)");
  BenchCase c = facts_case(facts, "engine", facts.flops_per_sample);
  c.stream = true;
  c.lookahead_samples = stream->lookahead_samples();
  const at::Tensor mel = request.mel[0].contiguous();
  const float* rows = mel.data_ptr<float>();
  const auto start = Clock::now();
  for (int64_t f = 0; f < mel.size(0); ++f) c.samples += static_cast<int64_t>(stream->push(rows + f * mel.size(1), 1).size());
  c.samples += static_cast<int64_t>(stream->finish().size());
  finish_case(c, since(start), config);
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
  if (facts.weight_bytes_per_step > 0) {
    report.weights_read_gbytes_per_s = kernels::measure_resident_read(o.threads, facts.weight_bytes_per_step / o.threads);
    report.weights_bound_steps_per_s = report.weights_read_gbytes_per_s * 1e9 / static_cast<double>(facts.weight_bytes_per_step);
  }
  report.barrier_ns = kernels::measure_barrier_ns(o.threads);
  if (o.stream) {
    report.cases.push_back(timed_stream(*generator, random_request(config, context, 1, samples), config));
  } else if (o.fold != 1) {
    report.cases.push_back(timed_fold(*generator, random_request(config, context, 1, samples), o.fold, context, config));
  } else {
    report.cases.push_back(timed(*generator, "engine", random_request(config, context, o.batch, samples), facts.flops_per_sample, config));
  }
  const int baseline_batch = o.stream || o.fold != 1 ? 1 : o.batch;
  if (!o.baselines) return report;
  std::vector<BaselineGenerator> baselines = model.bench_baselines();
  for (std::size_t i = 0; i < baselines.size(); ++i) {
    BaselineGenerator& b = baselines[i];
    const int64_t steps = i == 0 && o.baseline_steps > 0 ? o.baseline_steps : b.steps;
    WN_LOG(info) << "baseline: " << b.method << ", " << steps << " steps";
    report.cases.push_back(timed(*b.generator, b.method, random_request(config, context, baseline_batch, steps), facts.flops_per_sample, config));
  }
  return report;
}

}  // namespace wn
