#include "nets/wavenet/wavenet.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "nets/quantize_tensor.h"
#include "nets/wavenet/receptive_field.h"

namespace wn {

WaveNetImpl::WaveNetImpl(const ModelConfig& model, int n_mels, int n_labels, int sample_rate)
    : model_(model), n_mels_(n_mels), n_labels_(model.n_labels > 0 ? model.n_labels : n_labels), sample_rate_(sample_rate) {
  if (model_.global_conditioning && n_labels_ < 1) {
    throw ConfigError("model.global_conditioning needs labels: set model.n_labels or preprocess "
                      "with data.label_source=folder|column");
  }
  if (model_.pitch_harmonics > 0 && sample_rate_ <= 0) {
    throw ConfigError("model.pitch_harmonics needs the sample rate (audio.sample_rate) to make its source");
  }
  reset();
}

int WaveNetImpl::out_channels() const {
  if (model_.output == "softmax") return model_.quantize_channels;
  if (model_.output == "mol") return 3 * model_.mixture_components;
  return 2;  // gaussian: mean, log scale
}

int64_t WaveNetImpl::receptive_field() const { return receptive_field_samples(model_); }

int WaveNetImpl::local_channels() const {
  return model_.local_conditioning ? n_mels_ + harmonic_source_channels(model_.pitch_harmonics) : 0;
}

void WaveNetImpl::reset() {
  blocks.clear();
  const ModelConfig& m = model_;
  const int64_t input_channels = m.input == "mulaw" ? m.quantize_channels : 1;
  first = register_module(
      "first", CausalConv1d(CausalConv1dOptions(input_channels, m.residual_channels, 1).weight_norm(m.weight_norm)));
  const int64_t local = local_channels();
  const int64_t global = m.global_conditioning ? m.label_embedding : 0;
  const std::vector<int64_t> dilations = layer_dilations(m);
  for (std::size_t l = 0; l < dilations.size(); ++l) {
    const bool last = l + 1 == dilations.size();
    blocks.push_back(register_module(
        "blocks_" + std::to_string(l),
        ResidualBlock(ResidualBlockOptions(m, dilations[l], local, global).residual_output(!last))));
  }
  post_skip = register_module(
      "post_skip", CausalConv1d(CausalConv1dOptions(m.skip_channels, m.skip_channels, 1).weight_norm(m.weight_norm)));
  post_output = register_module(
      "post_output", CausalConv1d(CausalConv1dOptions(m.skip_channels, out_channels(), 1).weight_norm(m.weight_norm)));
  if (m.local_conditioning) upsampler_ = register_module("upsampler", ConditioningUpsampler(m, n_mels_));
  if (m.local_conditioning && m.pitch_harmonics > 0) {
    pitch_head_ = register_module("pitch_head", PitchHead(n_mels_, m.cond_kernel_size));
  }
  if (m.global_conditioning) {
    label_embedding_ = register_module("label_embedding", torch::nn::Embedding(n_labels_, m.label_embedding));
  }
}

torch::Tensor WaveNetImpl::encode_input(const torch::Tensor& audio) const {
  if (model_.input == "raw") return audio.unsqueeze(1);
  return quantize_tensor(audio, model_.quantize_channels, quantization_named(model_.quantization));
}

torch::Tensor WaveNetImpl::input_layer(const torch::Tensor& input) {
  if (model_.input == "raw") return first(input);
  // A 1x1 conv of a one-hot input is a column lookup: (B, T) classes -> (B, residual, T).
  const torch::Tensor w = first->weight().squeeze(-1).t();  // (classes, residual)
  return (torch::embedding(w, input) + first->bias()).transpose(1, 2);
}

torch::Tensor WaveNetImpl::upsample(const torch::Tensor& mel, const torch::Tensor& f0, const torch::Tensor& f0_phase) {
  const torch::Tensor local = upsampler_(mel);
  if (!pitch_head_) return local;
  const torch::Tensor hz = f0.defined() ? f0 : pitch_head_->f0(mel);
  const int hop = static_cast<int>(local.size(2) / std::max<int64_t>(1, hz.size(1)));
  TORCH_CHECK(hz.size(1) * hop == local.size(2), "pitch source: ", hz.size(1), " F0 frames for ", local.size(2), " samples");
  const torch::Tensor source =
      harmonic_source_tensor(hz, model_.pitch_harmonics, hop, sample_rate_, f0.defined() ? f0_phase : torch::Tensor());
  return torch::cat({local, source.to(local.device(), local.scalar_type())}, 1);
}

torch::Tensor WaveNetImpl::pitch_outputs(const torch::Tensor& mel) {
  TORCH_CHECK(pitch_head_, "this WaveNet has no pitch head");
  return pitch_head_->forward(mel);
}

PitchConditioning WaveNetImpl::pitch_conditioning() const {
  PitchConditioning p;
  if (!pitch_head_) return p;
  p.head = std::make_shared<PitchHeadArrays>(pitch_head_->arrays());
  p.harmonics = model_.pitch_harmonics;
  p.hop = 1;
  for (int s : model_.upsample_scales) p.hop *= s;
  p.sample_rate = sample_rate_;
  return p;
}

torch::Tensor WaveNetImpl::embed_labels(const torch::Tensor& labels) { return label_embedding_(labels); }

torch::Tensor WaveNetImpl::output_layers(const torch::Tensor& skip_sum) {
  return post_output(torch::relu(post_skip(torch::relu(skip_sum))));
}

torch::Tensor WaveNetImpl::forward(const torch::Tensor& input, const torch::Tensor& mel,
                                   const torch::Tensor& labels, const torch::Tensor& f0,
                                   const torch::Tensor& f0_phase) {
  torch::Tensor local;
  if (model_.local_conditioning) {
    TORCH_CHECK(mel.defined(), "a mel-conditioned WaveNet needs a mel input");
    local = upsample(mel, f0, f0_phase);
  }
  return forward_upsampled(input, local, labels);
}

torch::Tensor WaveNetImpl::forward_upsampled(const torch::Tensor& input, const torch::Tensor& local,
                                             const torch::Tensor& labels) {
  torch::Tensor global;
  if (model_.global_conditioning) {
    TORCH_CHECK(labels.defined(), "a label-conditioned WaveNet needs labels");
    global = embed_labels(labels);
  }
  torch::Tensor x = input_layer(input);
  torch::Tensor skip_sum;
  for (auto& block : blocks) {
    auto [next, skip] = block->forward(x, local, global);
    x = next;
    skip_sum = skip_sum.defined() ? skip_sum + skip : skip;
  }
  return output_layers(skip_sum * std::sqrt(1.0 / model_.layers));
}

}  // namespace wn
