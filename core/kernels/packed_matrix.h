#pragma once
// A weight matrix laid out for the kernels: K x N row-major (inputs x outputs), float32 or
// bfloat16. Fast generators of every model family keep their per-step weights in these.

#include <cstdint>
#include <vector>

namespace wn {

struct PackedMatrix {
  int k = 0;  // rows (inputs)
  int n = 0;  // columns (outputs)
  bool bf16 = false;
  std::vector<float> f32;
  std::vector<uint16_t> b16;
  const void* data() const { return bf16 ? static_cast<const void*>(b16.data()) : f32.data(); }
  bool empty() const { return k == 0; }
  int64_t bytes() const { return static_cast<int64_t>(k) * n * (bf16 ? 2 : 4); }
  int64_t macs() const { return static_cast<int64_t>(k) * n; }
};

}  // namespace wn
