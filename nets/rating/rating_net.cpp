#include "nets/rating/rating_net.h"

namespace wn {

RatingNetImpl::RatingNetImpl(const RatingNetOptions& options_) : options(options_) { reset(); }

void RatingNetImpl::reset() {
  conv = register_module(
      "conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(options.n_mels(), options.conv_channels(), options.conv_width())
                                    .padding(options.conv_width() / 2)));
  dense = register_module("dense", torch::nn::ModuleList());
  int width = options.conv_channels();
  for (const int size : options.dense_channels()) {
    dense->push_back(torch::nn::Linear(width, size));
    width = size;
  }
  output = register_module("output", torch::nn::Linear(width, options.outputs()));
}

torch::Tensor RatingNetImpl::frame_outputs(const torch::Tensor& mel) {
  TORCH_CHECK(mel.dim() == 3 && mel.size(2) == options.n_mels(), "rating network: mel must be (B, frames, ",
              options.n_mels(), "), got ", mel.sizes());
  torch::Tensor h = torch::relu(conv->forward(mel.transpose(1, 2))).transpose(1, 2);  // (B, frames, channels)
  for (const auto& layer : *dense) h = torch::relu(layer->as<torch::nn::Linear>()->forward(h));
  return output->forward(h);
}

torch::Tensor RatingNetImpl::forward(const torch::Tensor& mel) { return frame_outputs(mel).mean(1); }

}  // namespace wn
