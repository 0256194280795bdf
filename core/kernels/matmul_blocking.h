#pragma once
// The register-blocked matrix product shared by the SIMD kernel files. Each instruction-set
// file supplies a traits struct (register type, width, load/store/FMA intrinsics) and
// instantiates Blocking<Traits>::matmul; the blocking logic lives only here.
//
//   struct Traits {
//     using Reg = ...; static constexpr int kWidth = ...;  // floats per register
//     static constexpr int kRegisters = ...;                // vector registers (16 or 32)
//     static constexpr int kMaxVectors = ...;               // widest column block: 8 or 4 registers
//     static Reg zero(); static Reg load(const float*); static void store(float*, Reg);
//     static Reg broadcast(float x); static Reg fmadd(Reg a, Reg b, Reg c); static Reg add(Reg, Reg);
//     template <bool BF16> static Reg load_w(const MatmulArgs&, int64_t offset);  // bf16 or fp32 weights
//   };
//
// Batch invariance: a row's result never depends on how many rows are in the call, so an
// utterance generated in a batch gets bit for bit the audio it gets alone. The order in which
// an output element sums its k terms is fixed by its column position and k only: the column
// blocks (and their partial-sum count) are laid out from [n_begin, n_end) alone, the k panels
// are always used, and the number of rows blocked together only decides how often w is reused.

#include "core/kernels/kernels.h"

namespace wn::kernels {

template <class Isa, bool BF16>
struct BlockingFor {
  using Reg = typename Isa::Reg;
  static constexpr int kWidth = Isa::kWidth;
  // FMA chains in flight per row (latency x throughput of current cores), whatever the block
  // width: a block of V registers keeps kChains / V partial sums over k, added at the end.
  static constexpr int kChains = 8;

  template <int ROWS, int V>
  static inline void block(const MatmulArgs& a, int r0, int n0) {
    constexpr int U = kChains / V;
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
    for (; k < a.k; ++k) step<ROWS, V>(a, r0, n0, k, acc[0]);  // acc[u] with a run-time u would spill acc
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
    for (int v = 0; v < V; ++v) w[v] = Isa::template load_w<BF16>(a, k * a.w_stride + n0 + v * kWidth);
    for (int r = 0; r < ROWS; ++r) {
      const Reg x = Isa::broadcast(a.x[(r0 + r) * a.x_stride + k]);
      for (int v = 0; v < V; ++v) acc[r][v] = Isa::fmadd(x, w[v], acc[r][v]);
    }
  }

  // Rows blocked together for a block of V registers: as many as the register file holds
  // (ROWS x kChains accumulators, V weights, one broadcast), at most 3.
  template <int V>
  static constexpr int rows_for() {
    constexpr int fit = (Isa::kRegisters - V - 1) / kChains;
    return fit < 1 ? 1 : fit > 3 ? 3 : fit;
  }

  // Every row group over one block of columns; w's block stays in L1 meanwhile.
  template <int V>
  static void column_block(const MatmulArgs& a, int n0) {
    constexpr int kRows = rows_for<V>();
    int r = 0;
    for (; r + kRows <= a.rows; r += kRows) block<kRows, V>(a, r, n0);
    if constexpr (kRows == 3) {
      if (a.rows - r == 2) return block<2, V>(a, r, n0);
    }
    for (; r < a.rows; ++r) block<1, V>(a, r, n0);
  }

  // Columns in blocks of kMaxVectors, then 4, 2, 1 registers, then a scalar tail: a layout
  // that depends only on the column range.
  static void all_rows(const MatmulArgs& a) {
    int n = a.n_begin;
    if constexpr (Isa::kMaxVectors >= 8) {
      for (; n + 8 * kWidth <= a.n_end; n += 8 * kWidth) column_block<8>(a, n);
    }
    if (n + 4 * kWidth <= a.n_end) {  // AVX2's widest block: repeat it
      column_block<4>(a, n);
      n += 4 * kWidth;
      if constexpr (Isa::kMaxVectors == 4) {
        for (; n + 4 * kWidth <= a.n_end; n += 4 * kWidth) column_block<4>(a, n);
      }
    }
    if (n + 2 * kWidth <= a.n_end) {
      column_block<2>(a, n);
      n += 2 * kWidth;
    }
    if (n + kWidth <= a.n_end) {
      column_block<1>(a, n);
      n += kWidth;
    }
    if (n < a.n_end) {  // fewer columns left than one register holds
      MatmulArgs tail = a;
      tail.n_begin = n;
      scalar_kernels().matmul(tail);
    }
  }

};

template <class Isa>
struct Blocking {
  // k panels always, even for one row: a panel boundary is a rounding point, so taking it
  // only for large batches would make a row's result depend on the batch.
  static void matmul(const MatmulArgs& a) {
    if (a.w_bf16) for_each_k_panel(a, BlockingFor<Isa, true>::all_rows);
    else for_each_k_panel(a, BlockingFor<Isa, false>::all_rows);
  }
};

}  // namespace wn::kernels
