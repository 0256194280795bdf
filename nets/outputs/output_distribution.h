#pragma once
// What the network's output channels mean: a distribution over the next sample, with its
// training loss and its sampler. One implementation per file: softmax over mu-law classes,
// discretized mixture of logistics, single Gaussian.

#include <torch/torch.h>

#include <memory>
#include <string>

#include "core/config/config.h"

namespace wn {

class OutputDistribution {
 public:
  virtual ~OutputDistribution() = default;
  virtual int channels() const = 0;
  // out (B, channels, T) against target samples (B, T) in [-1, 1]: mean negative
  // log-likelihood per sample, in nats.
  torch::Tensor loss(const torch::Tensor& out, const torch::Tensor& target) const { return sample_nll(out, target).mean(); }
  // The same per sample: (B, T) nats.
  virtual torch::Tensor sample_nll(const torch::Tensor& out, const torch::Tensor& target) const = 0;
  // out (B, channels) -> one sample per row, float in [-1, 1]. temperature 1 samples the
  // distribution itself; lower values sharpen it.
  virtual torch::Tensor sample(const torch::Tensor& out, double temperature,
                               torch::Generator& generator) const = 0;
};

// Softmax over quantize_channels classes (model.quantization); cross-entropy loss.
std::unique_ptr<OutputDistribution> make_softmax_output(const ModelConfig& model);
// PixelCNN++ / Parallel WaveNet discretized mixture of logistics over quantize_channels levels.
std::unique_ptr<OutputDistribution> make_mol_output(const ModelConfig& model);
// One Gaussian: mean and log standard deviation (clamped below at log_scale_min).
std::unique_ptr<OutputDistribution> make_gaussian_output(const ModelConfig& model);

// The distribution named by model.output.
std::unique_ptr<OutputDistribution> make_output_distribution(const ModelConfig& model);

}  // namespace wn
