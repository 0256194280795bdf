// AVX2 + FMA kernels (compiled with -mavx2 -mfma; used only when CPUID says so).

#include <immintrin.h>

#include "core/kernels/kernels.h"
#include "core/kernels/matmul_blocking.h"
#include "core/kernels/simd_exp.h"

namespace wn::kernels {
namespace {

constexpr int kWidth = 8;

struct Avx2 {
  using Reg = __m256;
  static constexpr int kWidth = 8;
  static constexpr int kRegisters = 16;
  static constexpr int kMaxVectors = 4;  // 8 accumulators + 8 weights would not fit
  static constexpr bool kHasPairs = false;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg broadcast(float x) { return _mm256_set1_ps(x); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  // BF16 is a template argument: the weight type is fixed for a whole product, so the inner
  // loop carries no branch.
  template <bool BF16>
  static Reg load_w(const MatmulArgs& a, int64_t offset) {
    if constexpr (BF16) {
      const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(a.w) + offset));
      return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
    }
    return _mm256_loadu_ps(static_cast<const float*>(a.w) + offset);
  }
};

void gate_avx2(const float* a, const float* b, float* out, int n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  int i = 0;
  for (; i + kWidth <= n; i += kWidth) {
    const __m256 va = _mm256_loadu_ps(a + i);
    const __m256 vb = _mm256_loadu_ps(b + i);
    const __m256 abs_a = _mm256_andnot_ps(sign_bit, va);
    const __m256 e = simd::exp256(_mm256_mul_ps(abs_a, _mm256_set1_ps(-2.0f)));
    __m256 t = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
    t = _mm256_or_ps(t, _mm256_and_ps(va, sign_bit));
    const __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, simd::exp256(_mm256_sub_ps(_mm256_setzero_ps(), vb))));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(t, s));
  }
  if (i < n) scalar_kernels().gate(a + i, b + i, out + i, n - i);
}

}  // namespace

const KernelTable* avx2_kernels_impl() {
  static const KernelTable table{"avx2", Blocking<Avx2>::matmul, gate_avx2};
  return &table;
}

}  // namespace wn::kernels

namespace wn::kernels {

double fma_loop_avx2(int64_t iterations) {
  __m256 acc[12];
  for (auto& a : acc) a = _mm256_set1_ps(1.0f);
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
    for (auto& a : acc) a = _mm256_fmadd_ps(a, m, c);
  }
  __m256 total = acc[0];
  for (int j = 1; j < 12; ++j) total = _mm256_add_ps(total, acc[j]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, total);
  volatile float sink = lanes[0];
  (void)sink;
  return 12.0 * 8.0 * 2.0 * static_cast<double>(iterations);
}

float sum_avx2(const float* data, int64_t n) {
  // Eight named accumulators (an array indexed in a loop may live in memory at -O2, and then
  // the loop measures store forwarding instead of the cache's bandwidth).
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(data + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(data + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(data + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(data + i + 24));
    a4 = _mm256_add_ps(a4, _mm256_loadu_ps(data + i + 32));
    a5 = _mm256_add_ps(a5, _mm256_loadu_ps(data + i + 40));
    a6 = _mm256_add_ps(a6, _mm256_loadu_ps(data + i + 48));
    a7 = _mm256_add_ps(a7, _mm256_loadu_ps(data + i + 56));
  }
  const __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                                   _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes) total += v;
  for (; i < n; ++i) total += data[i];
  return total;
}

}  // namespace wn::kernels
