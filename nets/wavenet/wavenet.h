#pragma once
// The WaveNet of the config's `model` section: input layer, `layers` residual blocks with
// dilation 2^(l mod (layers/stacks)), skip sum scaled by sqrt(1/layers), then ReLU, 1x1, ReLU,
// 1x1 to the output distribution's channels. Output t sees inputs <= t and the condition at t,
// and parameterises the distribution of the sample at t + 1. With model.pitch_harmonics, the
// condition at t is the upsampled mel followed by the sine source's channels at t (its F0 from
// the pitch head, or, in training, from the audio).

#include <torch/torch.h>

#include "core/config/config.h"
#include "nets/wavenet/causal_conv.h"
#include "nets/wavenet/conditioning.h"
#include "nets/wavenet/pitch_head.h"
#include "nets/wavenet/residual_block.h"

namespace wn {

class WaveNetImpl : public torch::nn::Cloneable<WaveNetImpl> {
 public:
  // n_mels from the audio config; n_labels from the data when model.n_labels is 0; the sample
  // rate is needed by pitch-conditioned models only (their source runs in Hz).
  WaveNetImpl(const ModelConfig& model, int n_mels, int n_labels = 0, int sample_rate = 0);
  void reset() override;

  // The network input for samples `audio` (B, T) in [-1, 1]: mu-law classes (B, T) int64 for
  // input=mulaw, or the samples (B, 1, T) for input=raw.
  torch::Tensor encode_input(const torch::Tensor& audio) const;

  // input as from encode_input; mel (B, frames + 2*context, n_mels) with frames * hop == T, or
  // undefined for unconditional models; labels (B) int64 or undefined; f0 (B, frames) Hz, the
  // pitch source's F0 instead of the pitch head's, and f0_phase (B, frames) cycles, the phase to
  // lock it to (training passes the audio's own; harmonic_source.h).
  // Returns (B, out_channels, T).
  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& mel = {},
                        const torch::Tensor& labels = {}, const torch::Tensor& f0 = {},
                        const torch::Tensor& f0_phase = {});

  // forward() with the conditioning already upsampled: local (B, local_channels(), T) or undefined.
  torch::Tensor forward_upsampled(const torch::Tensor& input, const torch::Tensor& local,
                                  const torch::Tensor& labels = {});

  // The conditioning part alone: (B, local_channels(), T), for generators that precompute it.
  torch::Tensor upsample(const torch::Tensor& mel, const torch::Tensor& f0 = {}, const torch::Tensor& f0_phase = {});
  // The pitch head's outputs (B, 2, frames) for its training loss; the model must have one.
  torch::Tensor pitch_outputs(const torch::Tensor& mel);
  // What plain-loop generators need to make the pitch source; inactive without one.
  PitchConditioning pitch_conditioning() const;
  // The label embedding, (B, label_embedding).
  torch::Tensor embed_labels(const torch::Tensor& labels);
  // First layer for an input as from encode_input: (B, residual, T).
  torch::Tensor input_layer(const torch::Tensor& input);
  // Skip sum (B, skip, T) to output (B, out_channels, T).
  torch::Tensor output_layers(const torch::Tensor& skip_sum);

  const ModelConfig& model() const { return model_; }
  int n_labels() const { return n_labels_; }
  int out_channels() const;
  int64_t receptive_field() const;
  int context_frames() const { return upsampler_ ? upsampler_->context_frames() : 0; }
  int local_channels() const;  // n_mels, plus the pitch source's channels

  std::vector<ResidualBlock> blocks;
  CausalConv1d first{nullptr};
  CausalConv1d post_skip{nullptr};
  CausalConv1d post_output{nullptr};

 private:
  ModelConfig model_;
  int n_mels_;
  int n_labels_;
  int sample_rate_;
  ConditioningUpsampler upsampler_{nullptr};
  PitchHead pitch_head_{nullptr};
  torch::nn::Embedding label_embedding_{nullptr};
};
TORCH_MODULE(WaveNet);

}  // namespace wn
