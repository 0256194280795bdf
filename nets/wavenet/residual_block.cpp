#include "nets/wavenet/residual_block.h"

#include <cmath>

namespace wn {

ResidualBlockImpl::ResidualBlockImpl(const ResidualBlockOptions& options) : options_(options) { reset(); }

void ResidualBlockImpl::reset() {
  const ModelConfig& m = options_.model();
  const bool wn = m.weight_norm;
  dilated = register_module(
      "dilated", CausalConv1d(CausalConv1dOptions(m.residual_channels, m.gate_channels, m.kernel_size)
                                  .dilation(options_.dilation())
                                  .weight_norm(wn)));
  if (options_.local_channels() > 0) {
    local_projection = register_module(
        "local_projection",
        CausalConv1d(CausalConv1dOptions(options_.local_channels(), m.gate_channels, 1).bias(false).weight_norm(wn)));
  }
  if (options_.global_channels() > 0) {
    global_projection = register_module(
        "global_projection",
        CausalConv1d(CausalConv1dOptions(options_.global_channels(), m.gate_channels, 1).bias(false).weight_norm(wn)));
  }
  const int64_t half = m.gate_channels / 2;
  skip = register_module("skip", CausalConv1d(CausalConv1dOptions(half, m.skip_channels, 1).weight_norm(wn)));
  if (options_.residual_output()) {
    residual = register_module(
        "residual", CausalConv1d(CausalConv1dOptions(half, m.residual_channels, 1).weight_norm(wn)));
  }
}

std::pair<torch::Tensor, torch::Tensor> ResidualBlockImpl::forward(const torch::Tensor& x,
                                                                   const torch::Tensor& local,
                                                                   const torch::Tensor& global) {
  const double dropout = options_.model().dropout;
  torch::Tensor h = dilated(dropout > 0 ? torch::dropout(x, dropout, is_training()) : x);
  if (local.defined() && local_projection) h = h + local_projection(local);
  if (global.defined() && global_projection) h = h + global_projection(global.unsqueeze(-1));
  const auto halves = h.chunk(2, /*dim=*/1);
  const torch::Tensor gated = torch::tanh(halves[0]) * torch::sigmoid(halves[1]);
  if (!residual) return {torch::Tensor(), skip(gated)};
  return {(x + residual(gated)) * std::sqrt(0.5), skip(gated)};
}

}  // namespace wn
