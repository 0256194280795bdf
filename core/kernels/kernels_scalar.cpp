// The reference kernels: plain loops, no intrinsics. Every fast kernel is tested against these.

#include <cmath>
#include <cstring>

#include "core/kernels/kernels.h"

namespace wn::kernels {
namespace {

void matmul_scalar(const MatmulArgs& a) {
  const auto* w32 = static_cast<const float*>(a.w);
  const auto* w16 = static_cast<const uint16_t*>(a.w);
  for (int r = 0; r < a.rows; ++r) {
    const float* x = a.x + r * a.x_stride;
    float* y = a.y + r * a.y_stride;
    for (int n = a.n_begin; n < a.n_end; ++n) {
      float sum = a.accumulate ? y[n] : (a.bias ? a.bias[n] : 0.0f);
      for (int k = 0; k < a.k; ++k) {
        const float w = a.w_bf16 ? from_bf16(w16[k * a.w_stride + n]) : w32[k * a.w_stride + n];
        sum += x[k] * w;
      }
      y[n] = sum;
    }
  }
}

void gate_scalar(const float* a, const float* b, float* out, int n) {
  for (int i = 0; i < n; ++i) out[i] = std::tanh(a[i]) * (1.0f / (1.0f + std::exp(-b[i])));
}

}  // namespace

uint16_t to_bf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);  // NaN stays NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float from_bf16(uint16_t value) {
  const uint32_t bits = static_cast<uint32_t>(value) << 16;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

const KernelTable& scalar_kernels() {
  static const KernelTable table{"scalar", matmul_scalar, gate_scalar};
  return table;
}

}  // namespace wn::kernels
