#pragma once
// The rating network: a critic of log-mel spectrograms. A convolution over time (conv_width
// frames, conv_channels channels, ReLU), per-frame dense layers (each with a ReLU), a dense layer
// to `outputs` values per frame (1 for a score, the label count for a classifier), averaged over
// the clip's frames. Any clip length; the convolution pads with zeros at both ends.

#include <torch/torch.h>

#include <vector>

namespace wn {

struct RatingNetOptions {
  RatingNetOptions(int n_mels, int outputs) : n_mels_(n_mels), outputs_(outputs) {}
  TORCH_ARG(int, n_mels);
  TORCH_ARG(int, outputs);
  TORCH_ARG(int, conv_width) = 5;
  TORCH_ARG(int, conv_channels) = 128;
  TORCH_ARG(std::vector<int>, dense_channels) = {64};
};

class RatingNetImpl : public torch::nn::Cloneable<RatingNetImpl> {
 public:
  explicit RatingNetImpl(const RatingNetOptions& options);
  void reset() override;

  // mel (B, frames, n_mels) -> (B, outputs): the per-frame outputs averaged over the frames.
  torch::Tensor forward(const torch::Tensor& mel);
  // mel (B, frames, n_mels) -> (B, frames, outputs), before the average.
  torch::Tensor frame_outputs(const torch::Tensor& mel);

  RatingNetOptions options;
  torch::nn::Conv1d conv{nullptr};
  torch::nn::ModuleList dense{nullptr};
  torch::nn::Linear output{nullptr};
};
TORCH_MODULE(RatingNet);

}  // namespace wn
