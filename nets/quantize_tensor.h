#pragma once
// dataio/quantization.h on tensors, with exactly its rounding (nearest level, halves up; or down for mulaw_floor).

#include <torch/torch.h>

#include "dataio/quantization.h"

namespace wn {

// Samples in [-1, 1] (any shape) -> int64 classes in [0, classes - 1].
torch::Tensor quantize_tensor(const torch::Tensor& samples, int classes, Quantization q);
// Classes -> float samples at the class centres.
torch::Tensor dequantize_tensor(const torch::Tensor& levels, int classes, Quantization q);

inline torch::Tensor mulaw_encode_tensor(const torch::Tensor& samples, int classes) {
  return quantize_tensor(samples, classes, Quantization::mulaw);
}
inline torch::Tensor mulaw_decode_tensor(const torch::Tensor& levels, int classes) {
  return dequantize_tensor(levels, classes, Quantization::mulaw);
}

}  // namespace wn
