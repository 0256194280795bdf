#include "nets/wavenet/incremental_generator.h"

#include <ATen/Parallel.h>

#include <chrono>
#include <cmath>

#include "nets/device_generator.h"
#include "nets/tensor_packing.h"
#include "nets/wavenet/engine/cached_engine.h"

namespace wn {
namespace {

// One residual layer's matrices from the weight view, on the model's device.
struct LayerStep {
  torch::Tensor taps, taps_bias;          // (R*k, gate) oldest tap's rows first, (gate)
  torch::Tensor local, global;            // (local channels, gate), (label_dim, gate), or undefined
  torch::Tensor skip;                     // (half, skip), the skip sum's scale folded in
  torch::Tensor residual, residual_bias;  // (half, R), (R); undefined in the last layer
  int64_t span = 0;                       // (kernel - 1) * dilation
  int64_t dilation = 1;
};

torch::Tensor on(const torch::Tensor& t, const torch::TensorOptions& options) { return t.to(options.device()); }
torch::Tensor on(const std::vector<float>& v, const torch::TensorOptions& options) {
  return torch::tensor(v, torch::kFloat).to(options.device());
}

std::vector<LayerStep> layer_steps(const EngineWeights& w, const torch::TensorOptions& o) {
  std::vector<LayerStep> steps;
  const torch::Tensor skip_all = unpacked(w.skip_all);
  for (std::size_t l = 0; l < w.layers.size(); ++l) {
    const EngineLayer& layer = w.layers[l];
    LayerStep s;
    s.taps = on(unpacked(layer.taps), o);
    s.taps_bias = on(layer.taps_bias, o);
    // The upsampled condition's channels: the mel's, then the pitch source's (wavenet.h).
    if (!layer.local.empty()) s.local = on(layer.source.empty() ? unpacked(layer.local) : torch::cat({unpacked(layer.local), unpacked(layer.source)}), o);
    if (!layer.global.empty()) s.global = on(unpacked(layer.global), o);
    s.skip = on(skip_all.narrow(0, static_cast<int64_t>(l) * w.half, w.half), o);
    if (!layer.residual.empty()) {
      s.residual = on(unpacked(layer.residual), o);
      s.residual_bias = on(layer.residual_bias, o);
    }
    s.dilation = layer.dilation;
    s.span = (w.model.kernel_size - 1) * layer.dilation;
    steps.push_back(s);
  }
  return steps;
}

}  // namespace

IncrementalGenerator::IncrementalGenerator(WaveNet net, const OutputDistribution& distribution, LinearPrediction prediction,
                                           int64_t condition_chunk)
    : net_(std::move(net)),
      distribution_(distribution),
      prediction_(std::move(prediction)),
      chunk_(condition_chunk),
      weights_(pack_engine_weights(net_, "fp32")) {
  TORCH_CHECK(net_->model().linear_prediction == prediction_.order(), "incremental generator: the model predicts with order ",
              net_->model().linear_prediction, " but the generator was given order ", prediction_.order());
}

torch::Tensor IncrementalGenerator::generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs,
                                             GenerationTimings* timings) {
  torch::Generator generator = seeded_generator(net_->first->weight().device(), seed);
  const auto start = std::chrono::steady_clock::now();
  torch::Tensor audio = generate(request, generator, outputs).cpu();
  if (timings) timings->layers_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return audio;
}

GeneratorFacts IncrementalGenerator::facts() const {
  GeneratorFacts f;
  f.threads = at::get_num_threads();
  f.flops_per_sample = model_flops_per_sample(weights_);
  f.weight_bytes_per_step = weights_.step_weight_bytes();
  return f;
}

torch::Tensor IncrementalGenerator::generate(const GenerationRequest& request, torch::Generator& generator,
                                             torch::Tensor* outputs) {
  torch::NoGradGuard no_grad;
  const EngineWeights& w = weights_;
  const auto options = net_->first->weight().options();
  const int64_t batch = request.mel.defined() ? request.mel.size(0) : request.batch;
  const int64_t steps = request.samples;
  TORCH_CHECK(request.mel_frames.empty() && request.seeds.empty(),
              "incremental generator: rows of different lengths are a cached-engine feature; generate them one by one");
  TORCH_CHECK(!request.teacher.defined() || (request.teacher.size(0) == batch && request.teacher.size(1) <= steps),
              "incremental generator: teacher audio must be (batch, at most samples)");

  const std::vector<LayerStep> layers = layer_steps(w, options);
  const torch::Tensor input_table = on(w.input_table, options).reshape({-1, w.residual});
  const torch::Tensor input_bias = on(w.input_bias, options);
  const torch::Tensor skip_bias = on(w.skip_bias, options);
  const torch::Tensor post_skip = on(unpacked(w.post_skip), options), post_skip_bias = on(w.post_skip_bias, options);
  const torch::Tensor post_output = on(unpacked(w.post_output), options);
  const torch::Tensor post_output_bias = on(w.post_output_bias, options);
  const bool quantized_input = w.model.input == "mulaw";

  // Ring buffers of past layer inputs: (B, R, span) per layer.
  std::vector<torch::Tensor> rings;
  for (const auto& layer : layers) rings.push_back(torch::zeros({batch, w.residual, layer.span}, options));

  const torch::Tensor upsampled = request.mel.defined() ? net_->upsample(request.mel.to(options.device())) : torch::Tensor();
  std::vector<torch::Tensor> global_terms(layers.size());
  if (request.labels.defined() && w.n_labels > 0) {
    const torch::Tensor table = on(w.label_table, options).reshape({w.n_labels, w.label_dim});
    const torch::Tensor embedded = table.index_select(0, request.labels.to(options.device(), torch::kLong));
    for (std::size_t l = 0; l < layers.size(); ++l) {
      if (layers[l].global.defined()) global_terms[l] = torch::mm(embedded, layers[l].global);
    }
  }

  torch::Tensor audio = torch::zeros({batch, steps}, options);
  if (outputs) *outputs = torch::empty({batch, w.out_channels, steps}, options);
  torch::Tensor previous = torch::zeros({batch}, options);  // the sample before the first is silence
  // Linear prediction: every row's predictors (B, mel rows, order) and its last values of r,
  // newest first; long-term prediction: per frame gains and lags (B, frames), the last samples.
  torch::Tensor predictors, recent, pitch_gain, pitch_index, past;
  if (prediction_.active()) {
    TORCH_CHECK(request.mel.defined(), "incremental generator: a model with linear prediction needs a mel");
    const torch::Tensor mel = request.mel.to(torch::kFloat).cpu().contiguous();
    predictors = torch::zeros({batch, mel.size(1), prediction_.order()});
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t r = 0; r < mel.size(1); ++r) {
        prediction_.lpc->coefficients(mel[b][r].data_ptr<float>(), predictors[b][r].data_ptr<float>());
      }
    }
    predictors = predictors.to(options.device());
    recent = torch::zeros({batch, prediction_.order()}, options);
    if (prediction_.long_term()) {
      // Every frame's pitch gain and lag, from the plain-loop pitch head every generator uses.
      PredictorRows rows(prediction_, static_cast<int>(batch));
      const int64_t frames = (steps + prediction_.hop - 1) / prediction_.hop;
      pitch_gain = torch::zeros({batch, frames});
      pitch_index = torch::zeros({batch, frames}, torch::kLong);
      for (int64_t b = 0; b < batch; ++b) {
        rows.add(static_cast<int>(b), mel[b].data_ptr<float>(), mel.size(1));
        for (int64_t f = 0; f < frames; ++f) {
          const StepPredictor p = rows.at(static_cast<int>(b), f * prediction_.hop);
          pitch_gain[b][f] = p.gain;
          pitch_index[b][f] = p.gain > 0.0f ? p.lag - 1 : 0;  // into `past`, newest first
        }
      }
      pitch_gain = pitch_gain.to(options.device());
      pitch_index = pitch_index.to(options.device());
      past = torch::zeros({batch, prediction_.max_lag()}, options);
    }
  }
  std::vector<torch::Tensor> local_chunk(layers.size());

  for (int64_t t = 0; t < steps; ++t) {
    if (upsampled.defined() && t % chunk_ == 0) {
      // Conditioning for the next chunk of steps, every layer at once: (B, chunk, gate).
      const int64_t n = std::min(chunk_, steps - t);
      const torch::Tensor c = upsampled.narrow(2, t, n).transpose(1, 2);  // (B, n, local channels)
      for (std::size_t l = 0; l < layers.size(); ++l) {
        if (layers[l].local.defined()) local_chunk[l] = torch::matmul(c, layers[l].local);
      }
    }
    torch::Tensor x = quantized_input ? input_table.index_select(0, net_->encode_input(previous.unsqueeze(1)).squeeze(1))
                                      : previous.unsqueeze(1) * input_table;
    x = x + input_bias;  // (B, R)
    torch::Tensor skip_sum = skip_bias.expand({batch, w.skip});
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const LayerStep& layer = layers[l];
      torch::Tensor& ring = rings[l];
      const int64_t span = layer.span;
      // Taps x[t - (k-1)d], ..., x[t - d], then x[t].
      std::vector<torch::Tensor> taps;
      for (int64_t j = w.model.kernel_size - 1; j >= 1; --j) {
        taps.push_back(ring.select(2, ((t - j * layer.dilation) % span + span) % span));
      }
      taps.push_back(x);
      torch::Tensor h = torch::addmm(layer.taps_bias, torch::cat(taps, 1), layer.taps);
      if (local_chunk[l].defined()) h = h + local_chunk[l].select(1, t % chunk_);
      if (global_terms[l].defined()) h = h + global_terms[l];
      if (span > 0) ring.select(2, t % span).copy_(x);
      const auto halves = h.chunk(2, 1);
      const torch::Tensor gated = torch::tanh(halves[0]) * torch::sigmoid(halves[1]);
      skip_sum = skip_sum + torch::mm(gated, layer.skip);
      if (layer.residual.defined()) x = (x + torch::addmm(layer.residual_bias, gated, layer.residual)) * std::sqrt(0.5);
    }
    const torch::Tensor hidden = torch::relu(torch::addmm(post_skip_bias, torch::relu(skip_sum), post_skip));
    const torch::Tensor out = torch::addmm(post_output_bias, hidden, post_output);
    if (outputs) outputs->select(2, t).copy_(out);
    const bool forced = request.teacher.defined() && t < request.teacher.size(1);
    torch::Tensor sample = forced ? request.teacher.select(1, t).to(out.device(), torch::kFloat)
                                  : distribution_.sample(out, request.temperature, generator);
    if (predictors.defined()) {
      torch::Tensor period_back;  // gain * x[t - lag]
      if (past.defined()) {
        const int64_t f = t / prediction_.hop;
        period_back = pitch_gain.select(1, f) * past.gather(1, pitch_index.select(1, f).unsqueeze(1)).squeeze(1);
      }
      if (!forced) {
        const torch::Tensor c = predictors.select(1, prediction_.context_frames + t / prediction_.hop);
        torch::Tensor predicted = (c * recent).sum(1);
        if (period_back.defined()) predicted = predicted + period_back;
        sample = (sample + predicted).clamp(-1.0, 1.0);
      }
      const torch::Tensor r = period_back.defined() ? sample - period_back : sample;
      recent = torch::cat({r.unsqueeze(1), recent.narrow(1, 0, prediction_.order() - 1)}, 1);
      if (past.defined()) past = torch::cat({sample.unsqueeze(1), past.narrow(1, 0, past.size(1) - 1)}, 1);
    }
    audio.select(1, t).copy_(sample);
    previous = sample;
    if (request.on_step) request.on_step(t + 1);
  }
  return audio;
}

}  // namespace wn
