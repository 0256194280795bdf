#pragma once
// How a fast generator's thread team shares a product's output columns: contiguous slices on
// 16-float boundaries, so every SIMD block stays whole and one thread owns it.

#include <algorithm>
#include <utility>

namespace wn::kernels {

constexpr int kColumnAlign = 16;

// Thread `tid` of `threads` takes columns [first, second) of n.
inline std::pair<int, int> thread_columns(int n, int tid, int threads) {
  const int blocks = (n + kColumnAlign - 1) / kColumnAlign;
  return {std::min(n, blocks * tid / threads * kColumnAlign), std::min(n, blocks * (tid + 1) / threads * kColumnAlign)};
}

}  // namespace wn::kernels
