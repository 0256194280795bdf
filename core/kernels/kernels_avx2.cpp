// AVX2 + FMA kernels (compiled with -mavx2 -mfma; used only when CPUID says so).

#include <immintrin.h>

#include "core/kernels/kernels.h"
#include "core/kernels/simd_exp.h"

namespace wn::kernels {
namespace {

constexpr int kWidth = 8;

inline __m256 load_w(const MatmulArgs& a, int64_t offset) {
  if (a.w_bf16) {
    const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(a.w) + offset));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(half), 16));
  }
  return _mm256_loadu_ps(static_cast<const float*>(a.w) + offset);
}

// ROWS rows x V vectors of 8 columns, w streamed once. U independent partial sums over k
// per output register keep enough FMAs in flight when ROWS x V is small (a thread's share of a
// narrow layer); they are added at the end.
template <int ROWS, int V, int U>
inline void block(const MatmulArgs& a, int r0, int n0) {
  __m256 acc[U][ROWS][V];
  for (int u = 0; u < U; ++u) {
    for (int r = 0; r < ROWS; ++r) {
      for (int v = 0; v < V; ++v) acc[u][r][v] = _mm256_setzero_ps();
    }
  }
  int k = 0;
  for (; k + U <= a.k; k += U) {
    for (int u = 0; u < U; ++u) {
      __m256 w[V];
      for (int v = 0; v < V; ++v) w[v] = load_w(a, (k + u) * a.w_stride + n0 + v * kWidth);
      for (int r = 0; r < ROWS; ++r) {
        const __m256 x = _mm256_set1_ps(a.x[(r0 + r) * a.x_stride + k + u]);
        for (int v = 0; v < V; ++v) acc[u][r][v] = _mm256_fmadd_ps(x, w[v], acc[u][r][v]);
      }
    }
  }
  for (; k < a.k; ++k) {
    __m256 w[V];
    for (int v = 0; v < V; ++v) w[v] = load_w(a, k * a.w_stride + n0 + v * kWidth);
    for (int r = 0; r < ROWS; ++r) {
      const __m256 x = _mm256_set1_ps(a.x[(r0 + r) * a.x_stride + k]);
      for (int v = 0; v < V; ++v) acc[0][r][v] = _mm256_fmadd_ps(x, w[v], acc[0][r][v]);
    }
  }
  for (int r = 0; r < ROWS; ++r) {
    float* y = a.y + (r0 + r) * a.y_stride + n0;
    for (int v = 0; v < V; ++v) {
      __m256 sum = acc[0][r][v];
      for (int u = 1; u < U; ++u) sum = _mm256_add_ps(sum, acc[u][r][v]);
      const __m256 start = a.accumulate ? _mm256_loadu_ps(y + v * kWidth)
                          : a.bias     ? _mm256_loadu_ps(a.bias + n0 + v * kWidth)
                                       : _mm256_setzero_ps();
      _mm256_storeu_ps(y + v * kWidth, _mm256_add_ps(start, sum));
    }
  }
}

// Partial sums so that ROWS x V x U >= 8 chains are in flight.
template <int ROWS, int V>
inline void block_auto(const MatmulArgs& a, int r0, int n0) {
  constexpr int kChains = ROWS * V;
  constexpr int kU = kChains >= 8 ? 1 : kChains >= 4 ? 2 : kChains >= 2 ? 4 : 8;
  block<ROWS, V, kU>(a, r0, n0);
}

template <int ROWS>
void rows_block(const MatmulArgs& a, int r0) {
  constexpr int kVectors = ROWS == 1 ? 8 : 4;
  int n = a.n_begin;
  for (; n + kVectors * kWidth <= a.n_end; n += kVectors * kWidth) block_auto<ROWS, kVectors>(a, r0, n);
  if (n + 4 * kWidth <= a.n_end) {
    block_auto<ROWS, 4>(a, r0, n);
    n += 4 * kWidth;
  }
  if (n + 2 * kWidth <= a.n_end) {
    block_auto<ROWS, 2>(a, r0, n);
    n += 2 * kWidth;
  }
  if (n + kWidth <= a.n_end) {
    block_auto<ROWS, 1>(a, r0, n);
    n += kWidth;
  }
  if (n < a.n_end) {  // fewer than 8 columns left
    MatmulArgs tail = a;
    tail.x = a.x + r0 * a.x_stride;
    tail.y = a.y + r0 * a.y_stride;
    tail.rows = ROWS;
    tail.n_begin = n;
    scalar_kernels().matmul(tail);
  }
}

void all_rows(const MatmulArgs& a) {
  int r = 0;
  for (; r + 2 <= a.rows; r += 2) rows_block<2>(a, r);
  if (r < a.rows) rows_block<1>(a, r);
}

void matmul_avx2(const MatmulArgs& a) {
  if (a.rows <= 2) return all_rows(a);
  for_each_k_panel(a, all_rows);
}

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
  static const KernelTable table{"avx2", matmul_avx2, gate_avx2};
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
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int j = 0; j < 4; ++j) acc[j] = _mm256_add_ps(acc[j], _mm256_loadu_ps(data + i + 8 * j));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  float total = 0;
  for (float v : lanes) total += v;
  for (; i < n; ++i) total += data[i];
  return total;
}

}  // namespace wn::kernels
