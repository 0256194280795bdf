#include "nets/mulaw_tensor.h"

#include <cmath>

namespace wn {

torch::Tensor mulaw_encode_tensor(const torch::Tensor& samples, int classes) {
  const double mu = classes - 1;
  const torch::Tensor x = samples.clamp(-1.0, 1.0);
  const torch::Tensor y = torch::sign(x) * torch::log1p(mu * x.abs()) / std::log1p(mu);
  return torch::floor((y + 1.0) * 0.5 * mu + 0.5).to(torch::kLong);
}

torch::Tensor mulaw_decode_tensor(const torch::Tensor& classes, int classes_count) {
  const double mu = classes_count - 1;
  const torch::Tensor y = 2.0 * classes.to(torch::kFloat) / mu - 1.0;
  return torch::sign(y) * torch::expm1(y.abs() * std::log1p(mu)) / mu;
}

}  // namespace wn
