#include "nets/tensor_packing.h"

#include "core/errors.h"
#include "core/kernels/kernels.h"

namespace wn {

bool bf16_precision(const std::string& precision) {
  if (precision != "fp32" && precision != "bf16") {
    throw ConfigError("engine.precision must be one of fp32, bf16, got '" + precision + "'");
  }
  return precision == "bf16";
}

PackedMatrix pack(const torch::Tensor& k_by_n, bool bf16) {
  const torch::Tensor m = k_by_n.detach().to(torch::kFloat).cpu().contiguous();
  PackedMatrix p;
  p.k = static_cast<int>(m.size(0));
  p.n = static_cast<int>(m.size(1));
  p.bf16 = bf16;
  const float* data = m.data_ptr<float>();
  if (bf16) {
    p.b16.resize(static_cast<std::size_t>(m.numel()));
    for (int64_t i = 0; i < m.numel(); ++i) p.b16[i] = kernels::to_bf16(data[i]);
  } else {
    p.f32.assign(data, data + m.numel());
  }
  return p;
}

std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat).cpu().contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor unpacked(const PackedMatrix& m) {
  torch::Tensor out = torch::empty({m.k, m.n});
  float* data = out.data_ptr<float>();
  for (int k = 0; k < m.k; ++k) {
    for (int n = 0; n < m.n; ++n) data[static_cast<int64_t>(k) * m.n + n] = element(m, k, n);
  }
  return out;
}

}  // namespace wn
