#pragma once
// The register-blocked matrix product shared by the SIMD kernel files. Each instruction-set
// file supplies a traits struct (register type, width, load/store/FMA intrinsics) and
// instantiates Blocking<Traits>::matmul; the blocking logic lives only here.
//
//   struct Traits {
//     using Reg = ...; static constexpr int kWidth = ...;  // floats per register
//     static constexpr int kMaxRows = ...;                  // rows blocked together
//     static Reg zero(); static Reg load(const float*); static void store(float*, Reg);
//     static Reg broadcast(float); static Reg fmadd(Reg a, Reg b, Reg c); static Reg add(Reg, Reg);
//     static Reg load_w(const MatmulArgs&, int64_t offset);  // fp32 or bf16 weights
//   };

#include "core/kernels/kernels.h"

namespace wn::kernels {

template <class Isa>
struct Blocking {
  using Reg = typename Isa::Reg;
  static constexpr int kWidth = Isa::kWidth;

  // ROWS rows x V registers of columns, w streamed once. U independent partial sums over k per
  // output register keep enough FMAs in flight when ROWS x V is small (a thread's share of a
  // narrow layer); they are added at the end.
  template <int ROWS, int V, int U>
  static inline void block(const MatmulArgs& a, int r0, int n0) {
    Reg acc[U][ROWS][V];
    for (int u = 0; u < U; ++u) {
      for (int r = 0; r < ROWS; ++r) {
        for (int v = 0; v < V; ++v) acc[u][r][v] = Isa::zero();
      }
    }
    int k = 0;
    for (; k + U <= a.k; k += U) {
      for (int u = 0; u < U; ++u) step<ROWS, V>(a, r0, n0, k + u, acc[u]);
    }
    for (; k < a.k; ++k) step<ROWS, V>(a, r0, n0, k, acc[0]);
    for (int r = 0; r < ROWS; ++r) {
      float* y = a.y + (r0 + r) * a.y_stride + n0;
      for (int v = 0; v < V; ++v) {
        Reg sum = acc[0][r][v];
        for (int u = 1; u < U; ++u) sum = Isa::add(sum, acc[u][r][v]);
        const Reg start = a.accumulate ? Isa::load(y + v * kWidth)
                          : a.bias     ? Isa::load(a.bias + n0 + v * kWidth)
                                       : Isa::zero();
        Isa::store(y + v * kWidth, Isa::add(start, sum));
      }
    }
  }

  template <int ROWS, int V>
  static inline void step(const MatmulArgs& a, int r0, int n0, int k, Reg (&acc)[ROWS][V]) {
    Reg w[V];
    for (int v = 0; v < V; ++v) w[v] = Isa::load_w(a, k * a.w_stride + n0 + v * kWidth);
    for (int r = 0; r < ROWS; ++r) {
      const Reg x = Isa::broadcast(a.x[(r0 + r) * a.x_stride + k]);
      for (int v = 0; v < V; ++v) acc[r][v] = Isa::fmadd(x, w[v], acc[r][v]);
    }
  }

  // Partial sums so that ROWS x V x U >= 8 chains are in flight.
  template <int ROWS, int V>
  static inline void block_auto(const MatmulArgs& a, int r0, int n0) {
    constexpr int kChains = ROWS * V;
    constexpr int kU = kChains >= 8 ? 1 : kChains >= 4 ? 2 : kChains >= 2 ? 4 : 8;
    block<ROWS, V, kU>(a, r0, n0);
  }

  template <int ROWS>
  static void rows_block(const MatmulArgs& a, int r0) {
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
    if (n < a.n_end) {  // fewer columns left than one register holds
      MatmulArgs tail = a;
      tail.x = a.x + r0 * a.x_stride;
      tail.y = a.y + r0 * a.y_stride;
      tail.rows = ROWS;
      tail.n_begin = n;
      scalar_kernels().matmul(tail);
    }
  }

  static void all_rows(const MatmulArgs& a) {
    constexpr int kMax = Isa::kMaxRows;
    int r = 0;
    for (; r + kMax <= a.rows; r += kMax) rows_block<kMax>(a, r);
    switch (a.rows - r) {
      case 3: rows_block<3>(a, r); break;
      case 2: rows_block<2>(a, r); break;
      case 1: rows_block<1>(a, r); break;
      default: break;
    }
  }

  static void matmul(const MatmulArgs& a) {
    if (a.rows <= Isa::kMaxRows) return all_rows(a);
    for_each_k_panel(a, all_rows);
  }
};

}  // namespace wn::kernels
