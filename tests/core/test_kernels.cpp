// Every SIMD kernel this CPU can run against the scalar reference, on random shapes.

#include "core/kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/kernels/packed_matrix.h"
#include "core/spin_barrier.h"

namespace wn::kernels {
namespace {

std::vector<const KernelTable*> fast_tables() {
  std::vector<const KernelTable*> tables;
  if (avx2_kernels()) tables.push_back(avx2_kernels());
  if (avx512_kernels()) tables.push_back(avx512_kernels());
  if (avx512bf16_kernels()) tables.push_back(avx512bf16_kernels());
  if (avx512bf16_emulated_kernels()) tables.push_back(avx512bf16_emulated_kernels());
  return tables;
}

TEST(Kernels, SomeFastTableOnThisMachine) {
  // Not a correctness check: tells the reader which paths the tests below exercised.
  std::string names;
  for (const auto* t : fast_tables()) names += std::string(t->name) + " ";
  std::printf("fast kernels tested here: %s(best: %s)\n", names.empty() ? "none " : names.c_str(), best_kernels().name);
  EXPECT_NE(best_kernels().matmul, nullptr);
}

// A random product of `rows` rows: strided x, y and w, fp32 or bf16 weights (in the layout the
// table runs fastest), optional bias, accumulate or not, and a column range that may start
// inside the matrix. `a.y` is left unset: each caller runs it on its own copy of y0.
struct RandomProduct {
  std::vector<float> x, w, bias, y0;
  std::vector<uint16_t> w16;
  PackedMatrix pairs;
  MatmulArgs a;

  RandomProduct(std::mt19937& rng, int trial, int rows, bool strided) {
    std::normal_distribution<float> normal;
    std::uniform_int_distribution<int> dim(1, 300);
    const int k = dim(rng), n = dim(rng);
    const int x_stride = k + (strided ? trial % 5 : 0), y_stride = n + (strided ? trial % 3 : 0);
    const int w_stride = n + (strided ? (trial % 2) * 16 : 0);
    x.resize(static_cast<std::size_t>(rows * x_stride));
    w.resize(static_cast<std::size_t>(k * w_stride));
    bias.resize(static_cast<std::size_t>(n));
    y0.resize(static_cast<std::size_t>(rows * y_stride));
    for (auto* v : {&x, &w, &bias, &y0}) {
      for (float& e : *v) e = normal(rng);
    }
    for (float v : w) w16.push_back(to_bf16(v));
    a.x = x.data();
    a.x_stride = x_stride;
    a.rows = rows;
    a.k = k;
    a.w_bf16 = trial % 3 == 0;
    a.w = a.w_bf16 ? static_cast<const void*>(w16.data()) : w.data();
    a.w_stride = w_stride;
    a.bias = trial % 2 == 0 || !strided ? bias.data() : nullptr;
    a.y_stride = y_stride;
    a.n_begin = trial % 5 == 0 ? n / 3 : 0;
    a.n_end = n;
    a.accumulate = trial % 4 == 1;
  }
  // The bf16 weights in k pairs, for tables that take them so.
  void lay_out_for(const KernelTable& table) {
    if (!a.w_bf16 || !table.bf16_pairs) return;
    PackedMatrix rows;
    rows.k = a.k;
    rows.n = static_cast<int>(a.w_stride);
    rows.bf16 = true;
    rows.b16 = w16;
    pairs = in_k_pairs(rows);
    a.w = pairs.b16.data();
    a.w_pairs = true;
  }
  std::string describe(const KernelTable& table, int trial) const {
    return std::string(table.name) + " trial " + std::to_string(trial) + " rows " + std::to_string(a.rows) + " k " +
           std::to_string(a.k) + " n " + std::to_string(a.n_end) + (a.w_pairs ? " bf16 pairs" : a.w_bf16 ? " bf16" : " fp32");
  }
};

TEST(Kernels, MatmulMatchesScalarOnRandomShapes) {
  std::mt19937 rng(5);
  for (const KernelTable* table : fast_tables()) {
    for (int trial = 0; trial < 60; ++trial) {
      RandomProduct p(rng, trial, 1 + trial % 7, /*strided=*/true);
      p.lay_out_for(*table);
      std::vector<float> expected = p.y0, got = p.y0;
      p.a.y = expected.data();
      scalar_kernels().matmul(p.a);
      p.a.y = got.data();
      table->matmul(p.a);
      double worst = 0, scale = 1e-30;
      for (std::size_t i = 0; i < got.size(); ++i) {
        worst = std::max(worst, double(std::fabs(got[i] - expected[i])));
        scale = std::max(scale, double(std::fabs(expected[i])));
      }
      ASSERT_LT(worst / scale, 1e-5) << p.describe(*table, trial);
    }
  }
}

// An utterance must get the same audio in a batch as alone: each row of a many-row product
// equals, bit for bit, the same row computed by itself, for every kernel table and shape.
TEST(Kernels, MatmulRowsDoNotDependOnTheBatch) {
  std::mt19937 rng(11);
  std::vector<const KernelTable*> tables = fast_tables();
  tables.push_back(&scalar_kernels());
  for (const KernelTable* table : tables) {
    for (int trial = 0; trial < 40; ++trial) {
      RandomProduct p(rng, trial, 2 + trial % 9, /*strided=*/false);
      p.lay_out_for(*table);
      const int64_t k = p.a.x_stride, n = p.a.y_stride;
      std::vector<float> batched = p.y0, alone = p.y0;
      p.a.y = batched.data();
      table->matmul(p.a);
      for (int r = 0; r < p.a.rows; ++r) {
        MatmulArgs one = p.a;
        one.rows = 1;
        one.x = p.x.data() + r * k;
        one.y = alone.data() + r * n;
        table->matmul(one);
      }
      ASSERT_EQ(batched, alone) << p.describe(*table, trial);
    }
  }
}

TEST(Kernels, GateMatchesScalar) {
  std::mt19937 rng(9);
  std::normal_distribution<float> normal(0.0f, 4.0f);
  for (const KernelTable* table : fast_tables()) {
    for (int n : {1, 7, 16, 33, 256, 1000}) {
      std::vector<float> a(n), b(n), expected(n), got(n);
      for (int i = 0; i < n; ++i) {
        a[i] = normal(rng);
        b[i] = normal(rng);
      }
      if (n > 4) {
        a[0] = 60.0f;  // saturation, both signs, and exact zero
        b[1] = -100.0f;
        a[2] = 0.0f;
        a[3] = -1e-6f;
      }
      scalar_kernels().gate(a.data(), b.data(), expected.data(), n);
      table->gate(a.data(), b.data(), got.data(), n);
      for (int i = 0; i < n; ++i) ASSERT_NEAR(got[i], expected[i], 2e-7 + 2e-6 * std::fabs(expected[i])) << table->name << " i " << i;
    }
  }
}

TEST(Kernels, Bfloat16RoundsToNearestEven) {
  EXPECT_EQ(from_bf16(to_bf16(1.0f)), 1.0f);
  EXPECT_EQ(from_bf16(to_bf16(-2.5f)), -2.5f);
  EXPECT_NEAR(from_bf16(to_bf16(0.1f)), 0.1f, 0.1f / 256);
  EXPECT_EQ(to_bf16(1.0f + 1.0f / 256), to_bf16(1.0f)) << "a tie rounds to even";
  EXPECT_TRUE(std::isnan(from_bf16(to_bf16(std::nanf("")))));
}

TEST(KPairs, LayoutKeepsEveryElementAndPadsAnOddK) {
  for (int k : {1, 4, 7}) {
    PackedMatrix rows;
    rows.k = k;
    rows.n = 3;
    rows.bf16 = true;
    for (int i = 0; i < k * 3; ++i) rows.b16.push_back(to_bf16(static_cast<float>(i + 1)));
    const PackedMatrix pairs = in_k_pairs(rows);
    ASSERT_TRUE(pairs.pairs);
    EXPECT_EQ(pairs.b16.size(), static_cast<std::size_t>((k + 1) / 2 * 3 * 2)) << "k " << k;
    for (int r = 0; r < k; ++r) {
      for (int c = 0; c < 3; ++c) EXPECT_EQ(element(pairs, r, c), element(rows, r, c)) << "k " << k << " at " << r << "," << c;
    }
    if (k % 2 == 1) {
      for (int c = 0; c < 3; ++c) EXPECT_EQ(pairs.b16[((k / 2) * 3 + c) * 2 + 1], 0) << "padding of column " << c;
    }
  }
}

// The k-pair product is the dot-product instruction's, not the row layout's: x is rounded to
// bf16 too. 1 + 2^-9 is not a bf16 value (it rounds to 1), so the two layouts differ by 2^-9.
TEST(KPairs, ProductRoundsXToBfloat16) {
  const std::vector<float> x = {1.0f + 1.0f / 512, 0.0f, 3.0f};
  PackedMatrix rows;
  rows.k = 3;
  rows.n = 1;
  rows.bf16 = true;
  rows.b16 = {to_bf16(1.0f), to_bf16(5.0f), to_bf16(2.0f)};
  const PackedMatrix pairs = in_k_pairs(rows);
  float y_rows = 0, y_pairs = 0;
  MatmulArgs a;
  a.x = x.data();
  a.k = 3;
  a.w = rows.b16.data();
  a.w_bf16 = true;
  a.w_stride = 1;
  a.y = &y_rows;
  a.n_end = 1;
  scalar_kernels().matmul(a);
  a.w = pairs.b16.data();
  a.w_pairs = true;
  a.y = &y_pairs;
  scalar_kernels().matmul(a);
  EXPECT_EQ(y_rows, 7.0f + 1.0f / 512);
  EXPECT_EQ(y_pairs, 7.0f);
  for (const KernelTable* table : {avx512bf16_kernels(), avx512bf16_emulated_kernels()}) {
    if (!table) continue;
    float y = 0;
    a.y = &y;
    table->matmul(a);
    EXPECT_EQ(y, 7.0f) << table->name;
  }
}

// The emulation stands in for the instruction on CPUs without it; where the CPU has it, the
// two must agree: bit for bit if the CPU rounds as Intel's definition says, and in any case
// within the tolerance every table keeps against the scalar reference.
TEST(KPairs, InstructionAgreesWithItsEmulation) {
  if (!avx512bf16_kernels()) GTEST_SKIP() << "this CPU has no avx512_bf16: the vdpbf16ps kernels were not run here";
  std::mt19937 rng(21);
  for (int trial = 0; trial < 60; ++trial) {
    RandomProduct p(rng, 3 * trial, 1 + trial % 7, /*strided=*/true);  // trial * 3: bf16 weights
    p.lay_out_for(*avx512bf16_kernels());
    std::vector<float> emulated = p.y0, real = p.y0;
    p.a.y = emulated.data();
    avx512bf16_emulated_kernels()->matmul(p.a);
    p.a.y = real.data();
    avx512bf16_kernels()->matmul(p.a);
    double worst = 0, scale = 1e-30;
    for (std::size_t i = 0; i < real.size(); ++i) {
      worst = std::max(worst, double(std::fabs(real[i] - emulated[i])));
      scale = std::max(scale, double(std::fabs(emulated[i])));
    }
    ASSERT_LT(worst / scale, 1e-5) << p.describe(*avx512bf16_kernels(), 3 * trial);
  }
}

TEST(SpinBarrier, KeepsThreadsInLockstep) {
  constexpr int kThreads = 3, kRounds = 2000;
  SpinBarrier barrier(kThreads);
  std::vector<int> counters(kThreads, 0);
  std::atomic<bool> mismatch{false};
  auto body = [&](int id) {
    for (int round = 0; round < kRounds; ++round) {
      counters[id] = round;
      barrier.wait();
      for (int other = 0; other < kThreads; ++other) {
        if (counters[other] != round) mismatch = true;
      }
      barrier.wait();
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < kThreads; ++i) threads.emplace_back(body, i);
  body(0);
  for (auto& t : threads) t.join();
  EXPECT_FALSE(mismatch.load());
}

}  // namespace
}  // namespace wn::kernels
