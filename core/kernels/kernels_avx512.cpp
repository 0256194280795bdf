// AVX-512 kernels (compiled with -mavx512f -mavx512bw -mfma; used only when CPUID says so).

#include <immintrin.h>

#include "core/kernels/kernels.h"
#include "core/kernels/simd_exp.h"

namespace wn::kernels {
namespace {

constexpr int kWidth = 16;

inline __m512 load_w(const MatmulArgs& a, int64_t offset) {
  if (a.w_bf16) {
    const __m256i half = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(a.w) + offset));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(half), 16));
  }
  return _mm512_loadu_ps(static_cast<const float*>(a.w) + offset);
}

// ROWS rows x V vectors of 16 columns, w streamed once. U independent partial sums over k
// per output register keep enough FMAs in flight when ROWS x V is small (a thread's share of a
// narrow layer); they are added at the end.
template <int ROWS, int V, int U>
inline void block(const MatmulArgs& a, int r0, int n0) {
  __m512 acc[U][ROWS][V];
  for (int u = 0; u < U; ++u) {
    for (int r = 0; r < ROWS; ++r) {
      for (int v = 0; v < V; ++v) acc[u][r][v] = _mm512_setzero_ps();
    }
  }
  int k = 0;
  for (; k + U <= a.k; k += U) {
    for (int u = 0; u < U; ++u) {
      __m512 w[V];
      for (int v = 0; v < V; ++v) w[v] = load_w(a, (k + u) * a.w_stride + n0 + v * kWidth);
      for (int r = 0; r < ROWS; ++r) {
        const __m512 x = _mm512_set1_ps(a.x[(r0 + r) * a.x_stride + k + u]);
        for (int v = 0; v < V; ++v) acc[u][r][v] = _mm512_fmadd_ps(x, w[v], acc[u][r][v]);
      }
    }
  }
  for (; k < a.k; ++k) {
    __m512 w[V];
    for (int v = 0; v < V; ++v) w[v] = load_w(a, k * a.w_stride + n0 + v * kWidth);
    for (int r = 0; r < ROWS; ++r) {
      const __m512 x = _mm512_set1_ps(a.x[(r0 + r) * a.x_stride + k]);
      for (int v = 0; v < V; ++v) acc[0][r][v] = _mm512_fmadd_ps(x, w[v], acc[0][r][v]);
    }
  }
  for (int r = 0; r < ROWS; ++r) {
    float* y = a.y + (r0 + r) * a.y_stride + n0;
    for (int v = 0; v < V; ++v) {
      __m512 sum = acc[0][r][v];
      for (int u = 1; u < U; ++u) sum = _mm512_add_ps(sum, acc[u][r][v]);
      const __m512 start = a.accumulate ? _mm512_loadu_ps(y + v * kWidth)
                          : a.bias     ? _mm512_loadu_ps(a.bias + n0 + v * kWidth)
                                       : _mm512_setzero_ps();
      _mm512_storeu_ps(y + v * kWidth, _mm512_add_ps(start, sum));
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
  if (n < a.n_end) {  // fewer than 16 columns left
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
  for (; r + 4 <= a.rows; r += 4) rows_block<4>(a, r);
  switch (a.rows - r) {
    case 3: rows_block<3>(a, r); break;
    case 2: rows_block<2>(a, r); break;
    case 1: rows_block<1>(a, r); break;
    default: break;
  }
}

void matmul_avx512(const MatmulArgs& a) {
  if (a.rows <= 4) return all_rows(a);
  for_each_k_panel(a, all_rows);
}

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
  static const KernelTable table{"avx512", matmul_avx512, gate_avx512};
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
