// AVX-512 kernels (compiled with -mavx512f -mavx512bw -mfma; used only when CPUID says so), and
// the emulated AVX-512 BF16 table that tests the k-pair path on CPUs without the instruction.

#include <immintrin.h>

#include "core/kernels/avx512_traits.h"
#include "core/kernels/kernels.h"
#include "core/kernels/matmul_blocking.h"
#include "core/kernels/simd_exp.h"

namespace wn::kernels {
namespace {

constexpr int kWidth = 16;

// The AVX-512 BF16 dot product in AVX-512F: the odd halves are the upper 16 bits of each
// lane already, the even ones move up; a product of two bf16 values is exact in float, so a
// multiply and an add round exactly as the instruction's fused step does.
struct Avx512EmulatedDot : Avx512 {
  static constexpr bool kHasPairs = true;
  using Pairs = __m512i;
  static Pairs load_pairs(const uint16_t* p) { return _mm512_loadu_si512(p); }
  static Pairs broadcast_pair(uint32_t pair) { return _mm512_set1_epi32(static_cast<int>(pair)); }
  static Reg dot_pairs(Reg acc, Pairs w, Pairs x) {
    const __m512i high = _mm512_set1_epi32(static_cast<int>(0xffff0000u));
    const __m512 w_odd = _mm512_castsi512_ps(_mm512_and_si512(w, high)), x_odd = _mm512_castsi512_ps(_mm512_and_si512(x, high));
    const __m512 w_even = _mm512_castsi512_ps(_mm512_slli_epi32(w, 16)), x_even = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
    acc = _mm512_add_ps(acc, _mm512_mul_ps(w_odd, x_odd));
    return _mm512_add_ps(acc, _mm512_mul_ps(w_even, x_even));
  }
};

}  // namespace

void gate_avx512(const float* a, const float* b, float* out, int n) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 sign_bit = _mm512_set1_ps(-0.0f);
  int i = 0;
  for (; i + kWidth <= n; i += kWidth) {
    const __m512 va = _mm512_loadu_ps(a + i);
    const __m512 vb = _mm512_loadu_ps(b + i);
    // tanh(a) = sign(a) (1 - e) / (1 + e) with e = exp(-2|a|); sigmoid(b) = 1 / (1 + exp(-b)).
    // Bit operations through the integer domain: the float forms need AVX512DQ.
    const __m512i a_bits = _mm512_castps_si512(va);
    const __m512i sign_mask = _mm512_castps_si512(sign_bit);
    const __m512 abs_a = _mm512_castsi512_ps(_mm512_andnot_si512(sign_mask, a_bits));
    const __m512 e = simd::exp512(_mm512_mul_ps(abs_a, _mm512_set1_ps(-2.0f)));
    __m512 t = _mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e));
    t = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), _mm512_and_si512(a_bits, sign_mask)));
    const __m512 s = _mm512_div_ps(one, _mm512_add_ps(one, simd::exp512(_mm512_sub_ps(_mm512_setzero_ps(), vb))));
    _mm512_storeu_ps(out + i, _mm512_mul_ps(t, s));
  }
  if (i < n) scalar_kernels().gate(a + i, b + i, out + i, n - i);
}

void matmul_avx512(const MatmulArgs& a) { Blocking<Avx512>::matmul(a); }

const KernelTable* avx512_kernels_impl() {
  static const KernelTable table{"avx512", matmul_avx512, gate_avx512};
  return &table;
}

const KernelTable* avx512bf16_emulated_kernels_impl() {
  static const KernelTable table{"avx512bf16-emulated", Blocking<Avx512EmulatedDot>::matmul, gate_avx512, /*bf16_pairs=*/true};
  return &table;
}

}  // namespace wn::kernels

namespace wn::kernels {

// 12 independent FMA chains per iteration: enough to cover latency x throughput on current cores.
double fma_loop_avx512(int64_t iterations) {
  __m512 acc[12];
  for (auto& a : acc) a = _mm512_set1_ps(1.0f);
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
    for (auto& a : acc) a = _mm512_fmadd_ps(a, m, c);
  }
  __m512 total = acc[0];
  for (int j = 1; j < 12; ++j) total = _mm512_add_ps(total, acc[j]);
  volatile float sink = _mm512_reduce_add_ps(total);
  (void)sink;
  return 12.0 * 16.0 * 2.0 * static_cast<double>(iterations);
}

}  // namespace wn::kernels
