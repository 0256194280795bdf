#include "nets/wavenet/conditioning.h"

namespace wn {

ConditioningUpsamplerImpl::ConditioningUpsamplerImpl(const ModelConfig& model, int n_mels)
    : model_(model), n_mels_(n_mels) {
  reset();
}

void ConditioningUpsamplerImpl::reset() {
  smoothers_.clear();
  transposed_.clear();
  input_conv_ = register_module(
      "input_conv",
      torch::nn::Conv1d(torch::nn::Conv1dOptions(n_mels_, n_mels_, model_.cond_kernel_size).bias(false)));
  for (std::size_t i = 0; i < model_.upsample_scales.size(); ++i) {
    const int64_t s = model_.upsample_scales[i];
    const std::string name = "upsample_" + std::to_string(i);
    if (model_.upsample_mode == "transposed") {
      auto conv = torch::nn::ConvTranspose2d(
          torch::nn::ConvTranspose2dOptions(1, 1, {1, s}).stride({1, s}).bias(false));
      torch::NoGradGuard no_grad;
      conv->weight.fill_(1.0);  // starts as a nearest-neighbour stretch
      transposed_.push_back(register_module(name, conv));
    } else {
      auto conv = torch::nn::Conv2d(
          torch::nn::Conv2dOptions(1, 1, {1, 2 * s + 1}).padding({0, s}).bias(false));
      torch::NoGradGuard no_grad;
      conv->weight.fill_(1.0 / static_cast<double>(2 * s + 1));  // starts as a moving average
      smoothers_.push_back(register_module(name, conv));
    }
  }
}

torch::Tensor ConditioningUpsamplerImpl::forward(const torch::Tensor& mel) {
  torch::Tensor c = input_conv_(mel.transpose(1, 2));  // (B, n_mels, frames)
  c = c.unsqueeze(1);                                    // (B, 1, n_mels, frames)
  for (std::size_t i = 0; i < model_.upsample_scales.size(); ++i) {
    const int64_t s = model_.upsample_scales[i];
    if (model_.upsample_mode == "transposed") {
      c = transposed_[i](c);
    } else {
      // Each frame repeated s times: an expand and a reshape (repeat_interleave with a repeat
      // count computes its output size on the host, a device sync on CUDA).
      const auto sizes = c.sizes();
      c = smoothers_[i](c.unsqueeze(4).expand({sizes[0], sizes[1], sizes[2], sizes[3], s}).reshape({sizes[0], sizes[1], sizes[2], sizes[3] * s}));
    }
  }
  return c.squeeze(1);
}

}  // namespace wn
