// AVX-512 BF16 kernels (compiled with -mavx512bf16 besides the AVX-512 flags; used only when
// CPUID reports avx512_bf16): vdpbf16ps multiplies 16 columns by two k rows per instruction,
// and bf16 weights are never widened to float. fp32 and row-layout bf16 products and the gate
// are the AVX-512 table's.

#include <immintrin.h>

#include "core/kernels/avx512_traits.h"
#include "core/kernels/kernels.h"
#include "core/kernels/matmul_blocking.h"

namespace wn::kernels {
namespace {

struct Avx512Bf16 : Avx512 {
  static constexpr bool kHasPairs = true;
  using Pairs = __m512i;
  static Pairs load_pairs(const uint16_t* p) { return _mm512_loadu_si512(p); }
  static Pairs broadcast_pair(uint32_t pair) { return _mm512_set1_epi32(static_cast<int>(pair)); }
  static Reg dot_pairs(Reg acc, Pairs w, Pairs x) { return _mm512_dpbf16_ps(acc, (__m512bh)w, (__m512bh)x); }
};

void matmul_avx512bf16(const MatmulArgs& a) {
  if (a.w_pairs) return Blocking<Avx512Bf16>::matmul_pairs(a);
  matmul_avx512(a);
}

}  // namespace

const KernelTable* avx512bf16_kernels_impl() {
  static const KernelTable table{"avx512bf16", matmul_avx512bf16, gate_avx512, /*bf16_pairs=*/true};
  return &table;
}

}  // namespace wn::kernels
