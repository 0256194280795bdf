#pragma once
// The hot loops of the cached inference engine, in one place: small matrix products over a few
// rows (batch) against a packed weight matrix, and the gated activation. A scalar reference and
// AVX2 / AVX-512 versions, chosen at run time from CPUID; tests check every fast version against
// the scalar one on random shapes.

#include <cstdint>
#include <string>

namespace wn::kernels {

// y[r][n] = (accumulate ? y[r][n] : bias[n] or 0) + sum_k x[r][k] * w[k][n]
// for rows r < rows and columns n in [n_begin, n_end). Every kernel is batch-invariant: row r's
// result is bit for bit the same whatever the number of rows in the call. w is K x N row-major, float32 or bfloat16
// (the upper half of a float32, stored as uint16).
//
// bf16 weights come in one of two layouts. Rows: w[k][n] at k * w_stride + n. K pairs, for the
// AVX-512 BF16 dot-product instruction (vdpbf16ps), which multiplies two bf16 pairs per float
// lane: w[k][n] at ((k / 2) * w_stride + n) * 2 + k % 2, an odd K padded with a zero row, so one
// 64-byte load holds 16 columns of two consecutive rows (w_stride is still the row length N). A
// product over k pairs rounds x to bf16 as well and adds each pair's two products in the
// instruction's order (the odd k, then the even k); the scalar table does the same in plain
// loops, so it stays the reference for both layouts.
struct MatmulArgs {
  const float* x = nullptr;
  int64_t x_stride = 0;
  int rows = 1;
  int k = 0;
  const void* w = nullptr;
  int64_t w_stride = 0;  // elements between rows of w
  bool w_bf16 = false;
  bool w_pairs = false;  // bf16 only: the k-pair layout above
  const float* bias = nullptr;
  float* y = nullptr;
  int64_t y_stride = 0;
  int n_begin = 0;
  int n_end = 0;
  bool accumulate = false;
};

// Runs `body` on slices of `a` of at most kPanelRows rows of w each, the first slice with a's
// own initialisation and the rest accumulating. With many batch rows, a panel of w stays in L1
// while every row group passes over it, instead of w being streamed from L3 once per row group.
// The fast kernels take panels for any row count, so that results do not depend on the batch.
constexpr int kPanelRows = 64;
template <class Body>
inline void for_each_k_panel(const MatmulArgs& a, Body&& body) {
  if (a.k == 0) return body(a);  // still writes bias (or zeros) into y
  for (int k0 = 0; k0 < a.k; k0 += kPanelRows) {
    MatmulArgs panel = a;
    panel.k = a.k - k0 < kPanelRows ? a.k - k0 : kPanelRows;
    panel.x = a.x + k0;
    // k0 is even, so a k-pair layout's panel starts at the same element offset as a row layout's.
    panel.w = a.w_bf16 ? static_cast<const void*>(static_cast<const uint16_t*>(a.w) + k0 * a.w_stride)
                       : static_cast<const void*>(static_cast<const float*>(a.w) + k0 * a.w_stride);
    panel.accumulate = a.accumulate || k0 > 0;
    body(panel);
  }
}

struct KernelTable {
  const char* name;
  void (*matmul)(const MatmulArgs& args);
  // out[i] = tanh(a[i]) * sigmoid(b[i]) for i < n
  void (*gate)(const float* a, const float* b, float* out, int n);
  // The table runs bf16 weights fastest in the k-pair layout: generators lay theirs out so.
  bool bf16_pairs = false;
};

const KernelTable& scalar_kernels();
// Null when the CPU (or the compiler) cannot run them.
const KernelTable* avx2_kernels();
const KernelTable* avx512_kernels();
// AVX-512 with the BF16 dot product (vdpbf16ps) for k-pair bf16 weights; fp32 as avx512.
const KernelTable* avx512bf16_kernels();
// The same blocked k-pair product with the dot product emulated by AVX-512F multiplies and
// adds, result for result (the instruction also flushes denormals; this does not). Never the
// best table: it lets a CPU without AVX-512 BF16 test the k-pair code path.
const KernelTable* avx512bf16_emulated_kernels();
// The fastest table this CPU supports (WAVENET_KERNELS=scalar|avx2|avx512|avx512bf16 forces
// one, for benchmarks; an unsupported choice falls back to the best available).
const KernelTable& best_kernels();
// By name: scalar, avx2, avx512, avx512bf16, avx512bf16-emulated; an unknown name or one this
// CPU cannot run gives the best table.
const KernelTable& kernels_named(const std::string& name);

// Round-to-nearest-even float32 -> bfloat16.
uint16_t to_bf16(float value);
float from_bf16(uint16_t value);

}  // namespace wn::kernels
