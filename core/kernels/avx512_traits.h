#pragma once
// The AVX-512F traits of the blocked product (core/kernels/matmul_blocking.h), shared by the
// AVX-512 and AVX-512 BF16 kernel files. Include only from files compiled with
// -mavx512f -mavx512bw -mfma.

#include <immintrin.h>

#include <cstdint>

#include "core/kernels/kernels.h"

namespace wn::kernels {

struct Avx512 {
  using Reg = __m512;
  static constexpr int kWidth = 16;
  static constexpr int kRegisters = 32;
  static constexpr int kMaxVectors = 8;
  static constexpr bool kHasPairs = false;
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

// In kernels_avx512.cpp: the AVX-512 table's entries, which the BF16 table reuses for
// everything but k-pair products.
void matmul_avx512(const MatmulArgs& a);
void gate_avx512(const float* a, const float* b, float* out, int n);

}  // namespace wn::kernels
