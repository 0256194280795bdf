#include "core/kernels/packed_matrix.h"

#include "core/kernels/kernels.h"

namespace wn {

PackedMatrix in_k_pairs(const PackedMatrix& m) {
  if (!m.bf16 || m.pairs) return m;
  PackedMatrix p;
  p.k = m.k;
  p.n = m.n;
  p.bf16 = true;
  p.pairs = true;
  const std::size_t n = static_cast<std::size_t>(m.n);
  p.b16.assign((static_cast<std::size_t>(m.k) + 1) / 2 * n * 2, 0);  // an odd k's last pair: zero
  for (std::size_t k = 0; k < static_cast<std::size_t>(m.k); ++k) {
    for (std::size_t c = 0; c < n; ++c) p.b16[((k / 2) * n + c) * 2 + k % 2] = m.b16[k * n + c];
  }
  return p;
}

float element(const PackedMatrix& m, int k, int n) {
  const std::size_t row = static_cast<std::size_t>(k), col = static_cast<std::size_t>(n), cols = static_cast<std::size_t>(m.n);
  if (!m.bf16) return m.f32[row * cols + col];
  if (!m.pairs) return kernels::from_bf16(m.b16[row * cols + col]);
  return kernels::from_bf16(m.b16[((row / 2) * cols + col) * 2 + row % 2]);
}

}  // namespace wn
