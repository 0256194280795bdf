#include "nets/training/multi_tensor.h"

#include <torch/torch.h>

namespace wn {

bool has_foreach_kernels(const std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return false;
  const torch::DeviceType where = tensors.front().device().type();
  return where == torch::kCPU || where == torch::kCUDA;
}

torch::Tensor gradient_norm(const std::vector<torch::Tensor>& grads) {
  if (grads.empty()) return torch::zeros({1});
  std::vector<torch::Tensor> norms;
  if (has_foreach_kernels(grads)) {
    norms = at::_foreach_norm(grads);
  } else {
    for (const torch::Tensor& g : grads) norms.push_back(g.norm());
  }
  return torch::stack(norms).to(torch::kFloat).norm().reshape({1});
}

void scale_all(const std::vector<torch::Tensor>& tensors, double factor) {
  torch::NoGradGuard no_grad;
  if (has_foreach_kernels(tensors)) {
    at::_foreach_mul_(tensors, factor);
  } else {
    for (const torch::Tensor& t : tensors) t.mul_(factor);
  }
}

}  // namespace wn
