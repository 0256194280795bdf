#pragma once
// A weight matrix laid out for the kernels: K x N row-major (inputs x outputs), float32 or
// bfloat16, and bfloat16 either in rows or in the k-pair layout of the AVX-512 BF16 kernels
// (core/kernels/kernels.h). Fast generators of every model family keep their per-step weights
// in these.

#include <cstdint>
#include <vector>

namespace wn {

struct PackedMatrix {
  int k = 0;  // rows (inputs)
  int n = 0;  // columns (outputs)
  bool bf16 = false;
  bool pairs = false;  // bf16 in k pairs (b16 then holds ceil(k / 2) * n * 2 values)
  std::vector<float> f32;
  std::vector<uint16_t> b16;
  const void* data() const { return bf16 ? static_cast<const void*>(b16.data()) : f32.data(); }
  bool empty() const { return k == 0; }
  int64_t bytes() const { return static_cast<int64_t>(k) * n * (bf16 ? 2 : 4); }
  int64_t macs() const { return static_cast<int64_t>(k) * n; }
  // The element where row `row` starts: rows a product may start at (any row in the row
  // layouts, an even one in k pairs).
  int64_t row_offset(int row) const { return static_cast<int64_t>(row) * n; }
};

// m in the k-pair layout (a bf16 matrix in rows; anything else is returned as it is).
PackedMatrix in_k_pairs(const PackedMatrix& m);
// m's element (k, n), whatever its layout.
float element(const PackedMatrix& m, int k, int n);

}  // namespace wn
