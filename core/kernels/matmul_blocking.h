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
//     static constexpr bool kHasPairs = ...;                // whether it runs the k-pair layout (below)
//   };
//
// Batch invariance: a row's result never depends on how many rows are in the call, so an
// utterance generated in a batch gets bit for bit the audio it gets alone. The order in which
// an output element sums its k terms is fixed by its column position and k only: the column
// blocks (and their partial-sum count) are laid out from [n_begin, n_end) alone, the k panels
// are always used, and the number of rows blocked together only decides how often w is reused.

#include <type_traits>
#include <vector>

#include "core/kernels/kernels.h"

namespace wn::kernels {

// Column layout and row grouping, shared by the row-layout and the k-pair products. `Kernel`
// supplies kWidth, kMaxVectors, rows_for<V>() and block<ROWS, V>(args, r0, n0); `Args` is
// MatmulArgs or a struct holding one as `.a`.
template <class Kernel, class Args>
struct ColumnLayout {
  static const MatmulArgs& matmul_args(const Args& p) {
    if constexpr (std::is_same_v<Args, MatmulArgs>) return p;
    else return p.a;
  }

  // Every row group over one block of columns; w's block stays in L1 meanwhile.
  template <int V>
  static void column_block(const Args& p, int n0) {
    constexpr int kRows = Kernel::template rows_for<V>();
    const int rows = matmul_args(p).rows;
    int r = 0;
    for (; r + kRows <= rows; r += kRows) Kernel::template block<kRows, V>(p, r, n0);
    if constexpr (kRows == 3) {
      if (rows - r == 2) return Kernel::template block<2, V>(p, r, n0);
    }
    for (; r < rows; ++r) Kernel::template block<1, V>(p, r, n0);
  }

  // Columns in blocks of kMaxVectors, then 4, 2, 1 registers, then a scalar tail: a layout
  // that depends only on the column range.
  static void all_rows(const Args& p) {
    const MatmulArgs& a = matmul_args(p);
    constexpr int kWidth = Kernel::kWidth;
    int n = a.n_begin;
    if constexpr (Kernel::kMaxVectors >= 8) {
      for (; n + 8 * kWidth <= a.n_end; n += 8 * kWidth) column_block<8>(p, n);
    }
    if (n + 4 * kWidth <= a.n_end) {  // AVX2's widest block: repeat it
      column_block<4>(p, n);
      n += 4 * kWidth;
      if constexpr (Kernel::kMaxVectors == 4) {
        for (; n + 4 * kWidth <= a.n_end; n += 4 * kWidth) column_block<4>(p, n);
      }
    }
    if (n + 2 * kWidth <= a.n_end) {
      column_block<2>(p, n);
      n += 2 * kWidth;
    }
    if (n + kWidth <= a.n_end) {
      column_block<1>(p, n);
      n += kWidth;
    }
    if (n < a.n_end) {  // fewer columns left than one register holds
      MatmulArgs tail = a;
      tail.n_begin = n;
      scalar_kernels().matmul(tail);
    }
  }
};

// FMA chains in flight per row (latency x throughput of current cores), whatever the block
// width: a block of V registers keeps kChains / V partial sums over k, added at the end.
constexpr int kChains = 8;

// Rows blocked together for a block of V registers: as many as the register file holds
// (ROWS x kChains accumulators, V weights, one broadcast), at most 3.
template <class Isa, int V>
constexpr int rows_that_fit() {
  constexpr int fit = (Isa::kRegisters - V - 1) / kChains;
  return fit < 1 ? 1 : fit > 3 ? 3 : fit;
}

// Every accumulator of a block to zero.
template <class Isa, int U, int ROWS, int V>
inline void zero_block(typename Isa::Reg (&acc)[U][ROWS][V]) {
  for (int u = 0; u < U; ++u) {
    for (int r = 0; r < ROWS; ++r) {
      for (int v = 0; v < V; ++v) acc[u][r][v] = Isa::zero();
    }
  }
}

// y[rows, block] = start + the kChains / V partial sums, in a fixed order.
template <class Isa, int U, int ROWS, int V>
inline void finish_block(const MatmulArgs& a, int r0, int n0, typename Isa::Reg (&acc)[U][ROWS][V]) {
  for (int r = 0; r < ROWS; ++r) {
    float* y = a.y + (r0 + r) * a.y_stride + n0;
    for (int v = 0; v < V; ++v) {
      typename Isa::Reg sum = acc[0][r][v];
      for (int u = 1; u < U; ++u) sum = Isa::add(sum, acc[u][r][v]);
      const typename Isa::Reg start = a.accumulate ? Isa::load(y + v * Isa::kWidth)
                                      : a.bias     ? Isa::load(a.bias + n0 + v * Isa::kWidth)
                                                   : Isa::zero();
      Isa::store(y + v * Isa::kWidth, Isa::add(start, sum));
    }
  }
}

template <class Isa, bool BF16>
struct BlockingFor {
  using Reg = typename Isa::Reg;
  static constexpr int kWidth = Isa::kWidth;
  static constexpr int kMaxVectors = Isa::kMaxVectors;

  template <int ROWS, int V>
  static inline void block(const MatmulArgs& a, int r0, int n0) {
    constexpr int U = kChains / V;
    Reg acc[U][ROWS][V];
    zero_block<Isa>(acc);
    int k = 0;
    for (; k + U <= a.k; k += U) {
      for (int u = 0; u < U; ++u) step<ROWS, V>(a, r0, n0, k + u, acc[u]);
    }
    for (; k < a.k; ++k) step<ROWS, V>(a, r0, n0, k, acc[0]);  // acc[u] with a run-time u would spill acc
    finish_block<Isa>(a, r0, n0, acc);
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

  template <int V>
  static constexpr int rows_for() { return rows_that_fit<Isa, V>(); }

  static void all_rows(const MatmulArgs& a) { ColumnLayout<BlockingFor, MatmulArgs>::all_rows(a); }
};

// A k panel of a product in the k-pair layout, with x already rounded to bf16 pairs: xp[r * xp_stride + j]
// holds row r's elements 2j (low half) and 2j + 1 (high half) of the panel.
struct PairArgs {
  MatmulArgs a;
  const uint32_t* xp;
  int64_t xp_stride;
};

// The blocked product over k pairs. Isa adds to the traits above:
//   using Pairs = ...;                                   // a register of 2 x kWidth bf16
//   static Pairs load_pairs(const uint16_t*);           // 2 x kWidth bf16 from memory
//   static Pairs broadcast_pair(uint32_t);              // one bf16 pair into every lane
//   static Reg dot_pairs(Reg acc, Pairs w, Pairs x);    // acc + w.odd * x.odd, then + w.even * x.even
template <class Isa>
struct PairBlockingFor {
  using Reg = typename Isa::Reg;
  using Pairs = typename Isa::Pairs;
  static constexpr int kWidth = Isa::kWidth;
  static constexpr int kMaxVectors = Isa::kMaxVectors;

  template <int ROWS, int V>
  static inline void block(const PairArgs& p, int r0, int n0) {
    constexpr int U = kChains / V;
    Reg acc[U][ROWS][V];
    zero_block<Isa>(acc);
    const int pairs = (p.a.k + 1) / 2;
    int j = 0;
    for (; j + U <= pairs; j += U) {
      for (int u = 0; u < U; ++u) step<ROWS, V>(p, r0, n0, j + u, acc[u]);
    }
    for (; j < pairs; ++j) step<ROWS, V>(p, r0, n0, j, acc[0]);
    finish_block<Isa>(p.a, r0, n0, acc);
  }

  template <int ROWS, int V>
  static inline void step(const PairArgs& p, int r0, int n0, int j, Reg (&acc)[ROWS][V]) {
    const auto* w16 = static_cast<const uint16_t*>(p.a.w);
    Pairs w[V];
    for (int v = 0; v < V; ++v) w[v] = Isa::load_pairs(w16 + (j * p.a.w_stride + n0 + v * kWidth) * 2);
    for (int r = 0; r < ROWS; ++r) {
      const Pairs x = Isa::broadcast_pair(p.xp[(r0 + r) * p.xp_stride + j]);
      for (int v = 0; v < V; ++v) acc[r][v] = Isa::dot_pairs(acc[r][v], w[v], x);
    }
  }

  template <int V>
  static constexpr int rows_for() { return rows_that_fit<Isa, V>(); }
};

// x's rows rounded to bf16 pairs, as PairArgs wants them (an odd k's last pair: zero high half).
void round_to_bf16_pairs(const MatmulArgs& a, std::vector<uint32_t>& out);

template <class Isa>
struct Blocking {
  // k panels always, even for one row: a panel boundary is a rounding point, so taking it
  // only for large batches would make a row's result depend on the batch.
  static void matmul(const MatmulArgs& a) {
    if (a.w_pairs) return matmul_pairs(a);
    if (a.w_bf16) for_each_k_panel(a, BlockingFor<Isa, true>::all_rows);
    else for_each_k_panel(a, BlockingFor<Isa, false>::all_rows);
  }

  static void matmul_pairs(const MatmulArgs& a) {
    if constexpr (!Isa::kHasPairs) {
      return scalar_kernels().matmul(a);  // generators give k pairs only to tables that ask for them
    } else {
      thread_local std::vector<uint32_t> xp;  // reused: no allocation per product
      round_to_bf16_pairs(a, xp);
      const int64_t pairs = (a.k + 1) / 2;
      for_each_k_panel(a, [&](const MatmulArgs& panel) {
        const PairArgs p{panel, xp.data() + (panel.x - a.x) / 2, pairs};
        ColumnLayout<PairBlockingFor<Isa>, PairArgs>::all_rows(p);
      });
    }
  }
};

}  // namespace wn::kernels
