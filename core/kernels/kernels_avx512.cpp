// AVX-512 kernels (compiled with -mavx512f -mavx512bw -mfma; used only when CPUID says so).

#include <immintrin.h>

#include "core/kernels/kernels.h"
#include "core/kernels/matmul_blocking.h"
#include "core/kernels/simd_exp.h"

namespace wn::kernels {
namespace {

constexpr int kWidth = 16;

struct Avx512 {
  using Reg = __m512;
  static constexpr int kWidth = 16;
  static constexpr int kRegisters = 32;
  static constexpr int kMaxVectors = 8;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg broadcast(float x) { return _mm512_set1_ps(x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  // BF16 is a template argument: the weight type is fixed for a whole product, so the inner
  // loop carries no branch.
  template <bool BF16>
  static Reg load_w(const MatmulArgs& a, int64_t offset) {
    if constexpr (BF16) {
      const __m256i half = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(a.w) + offset));
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(half), 16));
    }
    return _mm512_loadu_ps(static_cast<const float*>(a.w) + offset);
  }
};

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

}  // namespace

const KernelTable* avx512_kernels_impl() {
  static const KernelTable table{"avx512", Blocking<Avx512>::matmul, gate_avx512};
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
