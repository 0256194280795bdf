#pragma once
// A 1-D convolution that only looks back: input is left-padded by (kernel_size-1)*dilation so
// output[t] depends on input[<= t]. Optional weight normalisation stores `weight_g` (out,1,1)
// and `weight_v` (out,in,k) as PyTorch's torch.nn.utils.weight_norm does; `weight()` is the
// effective kernel either way.

#include <torch/torch.h>

namespace wn {

struct CausalConv1dOptions {
  CausalConv1dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, kernel_size);
  TORCH_ARG(int64_t, dilation) = 1;
  TORCH_ARG(bool, bias) = true;
  TORCH_ARG(bool, weight_norm) = false;
};

class CausalConv1dImpl : public torch::nn::Cloneable<CausalConv1dImpl> {
 public:
  explicit CausalConv1dImpl(const CausalConv1dOptions& options);
  void reset() override;

  // (B, in, T) -> (B, out, T)
  torch::Tensor forward(const torch::Tensor& x);
  // The kernel actually applied, (out, in, k): g * v / ||v|| under weight normalisation.
  torch::Tensor weight() const;
  const torch::Tensor& bias() const { return bias_; }
  const CausalConv1dOptions& options() const { return options_; }

 private:
  CausalConv1dOptions options_;
  torch::Tensor weight_;    // plain kernel, when !weight_norm
  torch::Tensor weight_g_;  // weight-norm magnitude
  torch::Tensor weight_v_;  // weight-norm direction
  torch::Tensor bias_;
};
TORCH_MODULE(CausalConv1d);

}  // namespace wn
