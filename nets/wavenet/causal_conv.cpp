#include "nets/wavenet/causal_conv.h"

#include <cmath>

namespace wn {

CausalConv1dImpl::CausalConv1dImpl(const CausalConv1dOptions& options) : options_(options) { reset(); }

void CausalConv1dImpl::reset() {
  const auto& o = options_;
  // Kaiming-uniform bounds, as torch.nn.Conv1d initialises.
  const double fan_in = static_cast<double>(o.in_channels() * o.kernel_size());
  const double bound = 1.0 / std::sqrt(fan_in);
  torch::Tensor w = torch::empty({o.out_channels(), o.in_channels(), o.kernel_size()}).uniform_(-bound, bound);
  if (o.weight_norm()) {
    weight_v_ = register_parameter("weight_v", w);
    weight_g_ = register_parameter("weight_g", w.norm(2, {1, 2}, /*keepdim=*/true).detach().clone());
  } else {
    weight_ = register_parameter("weight", w);
  }
  if (o.bias()) bias_ = register_parameter("bias", torch::empty({o.out_channels()}).uniform_(-bound, bound));
}

torch::Tensor CausalConv1dImpl::weight() const {
  if (!options_.weight_norm()) return weight_;
  return weight_g_ * weight_v_ / weight_v_.norm(2, {1, 2}, /*keepdim=*/true);
}

torch::Tensor CausalConv1dImpl::forward(const torch::Tensor& x) {
  const int64_t pad = (options_.kernel_size() - 1) * options_.dilation();
  const torch::Tensor padded = pad > 0 ? torch::constant_pad_nd(x, {pad, 0}) : x;
  return torch::conv1d(padded, weight(), bias_, /*stride=*/torch::IntArrayRef{1},
                       /*padding=*/torch::IntArrayRef{0}, /*dilation=*/torch::IntArrayRef{options_.dilation()});
}

}  // namespace wn
