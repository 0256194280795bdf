#pragma once
// Operations over every parameter (or gradient) of a model at once. On CUDA, LibTorch's
// _foreach kernels do a whole list in a few launches instead of several per tensor; the CPU has
// them too (so the tests run the same path), and other devices (meta) get the same arithmetic
// tensor by tensor.

#include <torch/types.h>

#include <vector>

namespace wn {

// Whether the _foreach kernels exist for these tensors' device.
bool has_foreach_kernels(const std::vector<torch::Tensor>& tensors);

// sqrt(sum of every element squared) of `grads`, a one-element tensor on their device: the
// trainer reads it on the host together with the loss, in one transfer per step.
torch::Tensor gradient_norm(const std::vector<torch::Tensor>& grads);

// Every tensor times `factor`, in place (gradient clipping).
void scale_all(const std::vector<torch::Tensor>& tensors, double factor);

}  // namespace wn
