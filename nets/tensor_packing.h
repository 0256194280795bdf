#pragma once
// LibTorch tensors to the plain arrays fast generators read (core/kernels/packed_matrix.h), and
// back for the LibTorch generators that share a fast generator's weight view.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/kernels/packed_matrix.h"

namespace wn {

// "fp32" -> false, "bf16" -> true; throws ConfigError for anything else.
bool bf16_precision(const std::string& precision);

// (K x N) row-major copy of a 2-D tensor given as (K, N), optionally as bfloat16.
PackedMatrix pack(const torch::Tensor& k_by_n, bool bf16);
// Any tensor's values, flattened, as float32 on the CPU.
std::vector<float> to_vector(const torch::Tensor& t);
// A packed matrix as an fp32 (K, N) tensor on the CPU.
torch::Tensor unpacked(const PackedMatrix& m);

}  // namespace wn
