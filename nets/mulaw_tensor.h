#pragma once
// Mu-law on tensors, with exactly the rounding of dataio/mulaw.h (nearest class, halves up).

#include <torch/torch.h>

namespace wn {

// Samples in [-1, 1] (any shape) -> int64 classes in [0, classes - 1].
torch::Tensor mulaw_encode_tensor(const torch::Tensor& samples, int classes);
// Classes -> float samples at the class centres.
torch::Tensor mulaw_decode_tensor(const torch::Tensor& classes, int classes_count);

}  // namespace wn
