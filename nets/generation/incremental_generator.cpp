#include "nets/generation/incremental_generator.h"

#include <cmath>

#include "nets/receptive_field.h"

namespace wn {
namespace {

// One residual layer's weights, rearranged for single steps.
struct LayerStep {
  torch::Tensor taps_weight;  // (R*k, gate): rows ordered oldest tap first
  torch::Tensor taps_bias;    // (gate)
  torch::Tensor local_weight;   // (gate, n_mels) or undefined
  torch::Tensor global_weight;  // (gate, embedding) or undefined
  torch::Tensor skip_weight, skip_bias;          // (half, skip), (skip)
  torch::Tensor residual_weight, residual_bias;  // (half, R), (R); undefined in the last layer
  int64_t dilation = 1;
  int64_t kernel = 2;
};

LayerStep prepare(ResidualBlock& block, int64_t dilation, int64_t kernel) {
  LayerStep s;
  const torch::Tensor w = block->dilated->weight();  // (gate, R, k)
  s.taps_weight = w.permute({2, 1, 0}).reshape({-1, w.size(0)}).contiguous();
  s.taps_bias = block->dilated->bias();
  if (block->local_projection) s.local_weight = block->local_projection->weight().squeeze(-1);
  if (block->global_projection) s.global_weight = block->global_projection->weight().squeeze(-1);
  s.skip_weight = block->skip->weight().squeeze(-1).t().contiguous();
  s.skip_bias = block->skip->bias();
  if (block->residual) {
    s.residual_weight = block->residual->weight().squeeze(-1).t().contiguous();
    s.residual_bias = block->residual->bias();
  }
  s.dilation = dilation;
  s.kernel = kernel;
  return s;
}

}  // namespace

IncrementalGenerator::IncrementalGenerator(WaveNet net, const OutputDistribution& distribution,
                                           int64_t condition_chunk)
    : net_(std::move(net)), distribution_(distribution), chunk_(condition_chunk) {}

torch::Tensor IncrementalGenerator::generate(const GenerationRequest& request, torch::Generator& generator,
                                             torch::Tensor* outputs) {
  torch::NoGradGuard no_grad;
  const ModelConfig& m = net_->model();
  const auto options = net_->first->weight().options();
  const int64_t batch = request.mel.defined() ? request.mel.size(0) : request.batch;
  const int64_t steps = request.samples;
  TORCH_CHECK(request.mel_frames.empty() && request.seeds.empty(),
              "incremental generator: rows of different lengths are a cached-engine feature; generate them one by one");
  TORCH_CHECK(!request.teacher.defined() || (request.teacher.size(0) == batch && request.teacher.size(1) <= steps),
              "incremental generator: teacher audio must be (batch, at most samples)");

  std::vector<LayerStep> layers;
  for (std::size_t l = 0; l < net_->blocks.size(); ++l) {
    layers.push_back(prepare(net_->blocks[l], layer_dilation(m, static_cast<int>(l)), m.kernel_size));
  }
  // Ring buffers of past layer inputs: (B, R, (k-1)*d) per layer.
  std::vector<torch::Tensor> rings;
  for (const auto& layer : layers) {
    rings.push_back(torch::zeros({batch, m.residual_channels, (layer.kernel - 1) * layer.dilation}, options));
  }

  const torch::Tensor upsampled = request.mel.defined() ? net_->upsample(request.mel) : torch::Tensor();
  torch::Tensor global;
  if (request.labels.defined()) global = net_->embed_labels(request.labels);
  std::vector<torch::Tensor> global_terms(layers.size());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    if (global.defined() && layers[l].global_weight.defined()) global_terms[l] = torch::mm(global, layers[l].global_weight.t());
  }

  torch::Tensor audio = torch::zeros({batch, steps}, options);
  if (outputs) *outputs = torch::empty({batch, net_->out_channels(), steps}, options);
  torch::Tensor previous = torch::zeros({batch}, options);  // the sample before the first is silence
  std::vector<torch::Tensor> local_chunk(layers.size());
  const double skip_scale = std::sqrt(1.0 / m.layers);

  for (int64_t t = 0; t < steps; ++t) {
    if (upsampled.defined() && t % chunk_ == 0) {
      // Conditioning for the next chunk of steps, every layer at once: (B, chunk, gate).
      const int64_t n = std::min(chunk_, steps - t);
      const torch::Tensor c = upsampled.narrow(2, t, n).transpose(1, 2);  // (B, n, n_mels)
      for (std::size_t l = 0; l < layers.size(); ++l) {
        if (layers[l].local_weight.defined()) local_chunk[l] = torch::matmul(c, layers[l].local_weight.t());
      }
    }
    torch::Tensor x = net_->input_layer(net_->encode_input(previous.unsqueeze(1))).squeeze(2);  // (B, R)
    torch::Tensor skip_sum;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const LayerStep& layer = layers[l];
      torch::Tensor& ring = rings[l];
      const int64_t span = ring.size(2);
      // Taps x[t - (k-1)d], ..., x[t - d], then x[t].
      std::vector<torch::Tensor> taps;
      for (int64_t j = layer.kernel - 1; j >= 1; --j) {
        taps.push_back(ring.select(2, ((t - j * layer.dilation) % span + span) % span));
      }
      taps.push_back(x);
      torch::Tensor h = torch::addmm(layer.taps_bias, torch::cat(taps, 1), layer.taps_weight);
      if (local_chunk[l].defined()) h = h + local_chunk[l].select(1, t % chunk_);
      if (global_terms[l].defined()) h = h + global_terms[l];
      if (span > 0) ring.select(2, t % span).copy_(x);
      const auto halves = h.chunk(2, 1);
      const torch::Tensor gated = torch::tanh(halves[0]) * torch::sigmoid(halves[1]);
      const torch::Tensor skip = torch::addmm(layer.skip_bias, gated, layer.skip_weight);
      skip_sum = skip_sum.defined() ? skip_sum + skip : skip;
      if (layer.residual_weight.defined()) {
        x = (x + torch::addmm(layer.residual_bias, gated, layer.residual_weight)) * std::sqrt(0.5);
      }
    }
    const torch::Tensor out = net_->output_layers((skip_sum * skip_scale).unsqueeze(2)).squeeze(2);
    if (outputs) outputs->select(2, t).copy_(out);
    const torch::Tensor sample = request.teacher.defined() && t < request.teacher.size(1)
                                     ? request.teacher.select(1, t).to(out.device(), torch::kFloat)
                                     : distribution_.sample(out, request.temperature, generator);
    audio.select(1, t).copy_(sample);
    previous = sample;
    if (request.on_step) request.on_step(t + 1);
  }
  return audio;
}

}  // namespace wn
