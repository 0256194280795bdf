#pragma once
// One WaveNet residual block: causal dilated conv to gate_channels, plus bias-free 1x1
// projections of the local (upsampled mel) and global (label embedding) conditions, gated
// tanh(a) * sigmoid(b) over the two halves, then a 1x1 skip conv and a 1x1 residual conv.
// The residual output is (x + residual) * sqrt(0.5).

#include <torch/torch.h>

#include "core/config/config.h"
#include "nets/wavenet/causal_conv.h"

namespace wn {

struct ResidualBlockOptions {
  ResidualBlockOptions(const ModelConfig& model, int64_t dilation, int64_t local_channels,
                       int64_t global_channels)
      : model_(model), dilation_(dilation), local_channels_(local_channels), global_channels_(global_channels) {}
  TORCH_ARG(ModelConfig, model);
  TORCH_ARG(int64_t, dilation);
  TORCH_ARG(int64_t, local_channels);   // 0: no local conditioning
  TORCH_ARG(int64_t, global_channels);  // 0: no global conditioning
  // The last block's residual output feeds nothing, so it has no residual conv.
  TORCH_ARG(bool, residual_output) = true;
};

class ResidualBlockImpl : public torch::nn::Cloneable<ResidualBlockImpl> {
 public:
  explicit ResidualBlockImpl(const ResidualBlockOptions& options);
  void reset() override;

  // x (B, residual, T); local (B, local_channels, T) or undefined; global (B, global_channels)
  // or undefined. Returns {residual output (B, residual, T) (undefined without a residual
  // conv), skip (B, skip, T)}.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& local,
                                                  const torch::Tensor& global);

  CausalConv1d dilated{nullptr};
  CausalConv1d local_projection{nullptr};
  CausalConv1d global_projection{nullptr};
  CausalConv1d skip{nullptr};
  CausalConv1d residual{nullptr};  // null in the last block

 private:
  ResidualBlockOptions options_;
};
TORCH_MODULE(ResidualBlock);

}  // namespace wn
