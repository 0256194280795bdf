#include "nets/quantize_tensor.h"

#include <cmath>

namespace wn {

torch::Tensor quantize_tensor(const torch::Tensor& samples, int classes, Quantization q) {
  const double top = classes - 1;
  torch::Tensor y = samples.clamp(-1.0, 1.0);
  if (q != Quantization::linear) y = torch::sign(y) * torch::log1p(top * y.abs()) / std::log1p(top);
  if (q == Quantization::mulaw_floor) return torch::floor((y + 1.0) * 0.5 * top).clamp_max(top).to(torch::kLong);
  return torch::floor((y + 1.0) * 0.5 * top + 0.5).to(torch::kLong);
}

torch::Tensor dequantize_tensor(const torch::Tensor& levels, int classes, Quantization q) {
  const double top = classes - 1;
  // mulaw_floor: a thousandth of a level inside the bin, as dataio decodes it.
  const double inside = q == Quantization::mulaw_floor ? 1e-3 : 0.0;
  const torch::Tensor y = (2.0 * (levels.to(torch::kFloat) + inside) / top - 1.0).clamp_max(1.0);
  if (q == Quantization::linear) return y;
  return torch::sign(y) * torch::expm1(y.abs() * std::log1p(top)) / top;
}

}  // namespace wn
