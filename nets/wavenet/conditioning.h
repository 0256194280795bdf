#pragma once
// The conditioning upsampler: mel frames to one conditioning vector per audio sample.
// A kernel-`cond_kernel_size` convolution over frames (it consumes the (k-1)/2 context frames
// the loader adds on each side), then, per scale s, either a nearest-neighbour stretch by s
// followed by a smoothing convolution along time (kernel 2s+1, shared across mel bins, as in
// r9y9's UpsampleNetwork), or a transposed convolution of stride s.

#include <torch/torch.h>

#include "core/config/config.h"

namespace wn {

class ConditioningUpsamplerImpl : public torch::nn::Cloneable<ConditioningUpsamplerImpl> {
 public:
  ConditioningUpsamplerImpl(const ModelConfig& model, int n_mels);
  void reset() override;

  // (B, frames + 2*context, n_mels) -> (B, n_mels, frames * hop)
  torch::Tensor forward(const torch::Tensor& mel);
  int context_frames() const { return (model_.cond_kernel_size - 1) / 2; }

 private:
  ModelConfig model_;
  int n_mels_;
  torch::nn::Conv1d input_conv_{nullptr};
  std::vector<torch::nn::Conv2d> smoothers_;
  std::vector<torch::nn::ConvTranspose2d> transposed_;
};
TORCH_MODULE(ConditioningUpsampler);

}  // namespace wn
