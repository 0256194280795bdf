// The reference kernels: plain loops, no intrinsics. Every fast kernel is tested against these.

#include <cmath>
#include <cstring>
#include <vector>

#include "core/kernels/kernels.h"
#include "core/kernels/matmul_blocking.h"

namespace wn::kernels {
namespace {

// The k-pair layout's product as the AVX-512 BF16 dot product defines it: x rounded to bf16,
// each pair's products (exact in float) added one at a time, the odd k first.
void matmul_pairs_scalar(const MatmulArgs& a) {
  const auto* w16 = static_cast<const uint16_t*>(a.w);
  std::vector<uint32_t> xp;
  round_to_bf16_pairs(a, xp);
  const int pairs = (a.k + 1) / 2;
  for (int r = 0; r < a.rows; ++r) {
    float* y = a.y + r * a.y_stride;
    for (int n = a.n_begin; n < a.n_end; ++n) {
      float sum = a.accumulate ? y[n] : (a.bias ? a.bias[n] : 0.0f);
      for (int j = 0; j < pairs; ++j) {
        const uint32_t x = xp[static_cast<std::size_t>(r) * pairs + j];
        const uint16_t* w = w16 + (j * a.w_stride + n) * 2;
        sum += from_bf16(w[1]) * from_bf16(static_cast<uint16_t>(x >> 16));
        sum += from_bf16(w[0]) * from_bf16(static_cast<uint16_t>(x & 0xffffu));
      }
      y[n] = sum;
    }
  }
}

void matmul_scalar(const MatmulArgs& a) {
  if (a.w_pairs) return matmul_pairs_scalar(a);
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

void round_to_bf16_pairs(const MatmulArgs& a, std::vector<uint32_t>& out) {
  const int pairs = (a.k + 1) / 2;
  out.resize(static_cast<std::size_t>(a.rows) * pairs);
  for (int r = 0; r < a.rows; ++r) {
    const float* x = a.x + r * a.x_stride;
    uint32_t* dst = out.data() + static_cast<std::size_t>(r) * pairs;
    for (int j = 0; j < pairs; ++j) {
      const uint32_t high = 2 * j + 1 < a.k ? to_bf16(x[2 * j + 1]) : 0u;
      dst[j] = to_bf16(x[2 * j]) | high << 16;
    }
  }
}

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
