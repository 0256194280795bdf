// Every SIMD kernel this CPU can run against the scalar reference, on random shapes.

#include "core/kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "core/spin_barrier.h"

namespace wn::kernels {
namespace {

std::vector<const KernelTable*> fast_tables() {
  std::vector<const KernelTable*> tables;
  if (avx2_kernels()) tables.push_back(avx2_kernels());
  if (avx512_kernels()) tables.push_back(avx512_kernels());
  return tables;
}

TEST(Kernels, SomeFastTableOnThisMachine) {
  // Not a correctness check: tells the reader which paths the tests below exercised.
  std::string names;
  for (const auto* t : fast_tables()) names += std::string(t->name) + " ";
  std::printf("fast kernels tested here: %s(best: %s)\n", names.empty() ? "none " : names.c_str(), best_kernels().name);
  EXPECT_NE(best_kernels().matmul, nullptr);
}

TEST(Kernels, MatmulMatchesScalarOnRandomShapes) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> dim(1, 300);
  for (const KernelTable* table : fast_tables()) {
    for (int trial = 0; trial < 60; ++trial) {
      const int rows = 1 + trial % 7, k = dim(rng), n = dim(rng);
      const bool bf16 = trial % 3 == 0, accumulate = trial % 4 == 1, with_bias = trial % 2 == 0;
      const int x_stride = k + trial % 5, y_stride = n + trial % 3, w_stride = n + (trial % 2) * 16;
      std::vector<float> x(static_cast<std::size_t>(rows * x_stride)), w(static_cast<std::size_t>(k * w_stride)),
          bias(static_cast<std::size_t>(n)), y0(static_cast<std::size_t>(rows * y_stride));
      for (auto* v : {&x, &w, &bias, &y0}) {
        for (float& e : *v) e = normal(rng);
      }
      std::vector<uint16_t> w16(w.size());
      for (std::size_t i = 0; i < w.size(); ++i) w16[i] = to_bf16(w[i]);
      MatmulArgs a;
      a.x = x.data();
      a.x_stride = x_stride;
      a.rows = rows;
      a.k = k;
      a.w = bf16 ? static_cast<const void*>(w16.data()) : w.data();
      a.w_stride = w_stride;
      a.w_bf16 = bf16;
      a.bias = with_bias ? bias.data() : nullptr;
      a.y_stride = y_stride;
      a.n_begin = trial % 5 == 0 ? n / 3 : 0;
      a.n_end = n;
      a.accumulate = accumulate;
      std::vector<float> expected = y0, got = y0;
      a.y = expected.data();
      scalar_kernels().matmul(a);
      a.y = got.data();
      table->matmul(a);
      double worst = 0, scale = 1e-30;
      for (std::size_t i = 0; i < got.size(); ++i) {
        worst = std::max(worst, double(std::fabs(got[i] - expected[i])));
        scale = std::max(scale, double(std::fabs(expected[i])));
      }
      ASSERT_LT(worst / scale, 1e-5) << table->name << " trial " << trial << " rows " << rows << " k " << k << " n " << n
                                     << (bf16 ? " bf16" : " fp32");
    }
  }
}

// An utterance must get the same audio in a batch as alone: each row of a many-row product
// equals, bit for bit, the same row computed by itself, for every kernel table and shape.
TEST(Kernels, MatmulRowsDoNotDependOnTheBatch) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> dim(1, 300);
  std::vector<const KernelTable*> tables = fast_tables();
  tables.push_back(&scalar_kernels());
  for (const KernelTable* table : tables) {
    for (int trial = 0; trial < 40; ++trial) {
      const int rows = 2 + trial % 9, k = dim(rng), n = dim(rng);
      const bool bf16 = trial % 3 == 0, accumulate = trial % 4 == 1;
      std::vector<float> x(static_cast<std::size_t>(rows * k)), w(static_cast<std::size_t>(k * n)),
          bias(static_cast<std::size_t>(n)), y0(static_cast<std::size_t>(rows * n));
      for (auto* v : {&x, &w, &bias, &y0}) {
        for (float& e : *v) e = normal(rng);
      }
      std::vector<uint16_t> w16(w.size());
      for (std::size_t i = 0; i < w.size(); ++i) w16[i] = to_bf16(w[i]);
      MatmulArgs a;
      a.x = x.data();
      a.x_stride = k;
      a.rows = rows;
      a.k = k;
      a.w = bf16 ? static_cast<const void*>(w16.data()) : w.data();
      a.w_stride = n;
      a.w_bf16 = bf16;
      a.bias = bias.data();
      a.y_stride = n;
      a.n_begin = trial % 5 == 0 ? n / 3 : 0;
      a.n_end = n;
      a.accumulate = accumulate;
      std::vector<float> batched = y0, alone = y0;
      a.y = batched.data();
      table->matmul(a);
      for (int r = 0; r < rows; ++r) {
        MatmulArgs one = a;
        one.rows = 1;
        one.x = x.data() + r * k;
        one.y = alone.data() + r * n;
        table->matmul(one);
      }
      ASSERT_EQ(batched, alone) << table->name << " trial " << trial << " rows " << rows << " k " << k << " n " << n;
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
