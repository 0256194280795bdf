// Every SIMD kernel this CPU can run against the scalar reference, on random shapes.

#include "core/kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
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

// A random product of `rows` rows: strided x, y and w, fp32 or bf16 weights, optional bias,
// accumulate or not, and a column range that may start inside the matrix. `a.y` is left unset:
// each caller runs it on its own copy of y0.
struct RandomProduct {
  std::vector<float> x, w, bias, y0;
  std::vector<uint16_t> w16;
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
  std::string describe(const KernelTable& table, int trial) const {
    return std::string(table.name) + " trial " + std::to_string(trial) + " rows " + std::to_string(a.rows) + " k " +
           std::to_string(a.k) + " n " + std::to_string(a.n_end) + (a.w_bf16 ? " bf16" : " fp32");
  }
};

TEST(Kernels, MatmulMatchesScalarOnRandomShapes) {
  std::mt19937 rng(5);
  for (const KernelTable* table : fast_tables()) {
    for (int trial = 0; trial < 60; ++trial) {
      RandomProduct p(rng, trial, 1 + trial % 7, /*strided=*/true);
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
