#include "core/kernels/machine_peak.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

#include "core/kernels/kernels.h"
#include "core/spin_barrier.h"

namespace wn::kernels {

#if defined(__x86_64__)
double fma_loop_avx512(int64_t iterations);  // FLOPs done
double fma_loop_avx2(int64_t iterations);
float sum_avx2(const float* data, int64_t n);
#endif

namespace {

using Clock = std::chrono::steady_clock;

double fma_loop_scalar(int64_t iterations) {
  float a[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  const float m = 0.999999f, c = 1e-7f;
  for (int64_t i = 0; i < iterations; ++i) {
    for (float& v : a) v = v * m + c;
  }
  volatile float sink = std::accumulate(a, a + 8, 0.0f);
  (void)sink;
  return 16.0 * static_cast<double>(iterations);
}

template <class Work>
double run_on_threads(int threads, Work&& work) {
  std::vector<double> results(static_cast<std::size_t>(threads), 0.0);
  std::vector<std::thread> team;
  for (int t = 0; t < threads; ++t) team.emplace_back([&, t] { results[t] = work(t); });
  for (auto& th : team) th.join();
  return std::accumulate(results.begin(), results.end(), 0.0);
}

}  // namespace

MachinePeak measure_machine_peak(int threads, double seconds_each) {
  MachinePeak peak;
  double (*fma_loop)(int64_t) = fma_loop_scalar;
#if defined(__x86_64__)
  if (avx512_kernels()) {
    fma_loop = fma_loop_avx512;
    peak.isa = "avx512";
  } else if (avx2_kernels()) {
    fma_loop = fma_loop_avx2;
    peak.isa = "avx2";
  }
#endif
  // FLOP/s: each thread runs the loop for about seconds_each.
  const double flops = run_on_threads(threads, [&](int) {
    int64_t iterations = 1 << 16;
    double done = 0, elapsed = 0;
    const auto start = Clock::now();
    while (elapsed < seconds_each) {
      done += fma_loop(iterations);
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      iterations *= 2;
    }
    return done / elapsed;
  });
  peak.gflops = flops / 1e9;

  // Bandwidth: 256 MB per thread's share, read once after a warm-up pass.
  const int64_t per_thread = (256ll << 20) / 4 / threads;
  std::vector<std::vector<float>> arrays(static_cast<std::size_t>(threads));
  run_on_threads(threads, [&](int t) {
    arrays[t].assign(static_cast<std::size_t>(per_thread), 1.0f);  // first touch on the reading thread
    return 0.0;
  });
  std::atomic<int> ready{0};
  const double bytes_per_second = run_on_threads(threads, [&](int t) {
    const float* data = arrays[t].data();
    ready++;
    while (ready.load() < threads) {
    }
    const auto start = Clock::now();
    float total = 0;
#if defined(__x86_64__)
    if (avx2_kernels()) {
      total = sum_avx2(data, per_thread);
    } else
#endif
    {
      total = std::accumulate(data, data + per_thread, 0.0f);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    volatile float sink = total;
    (void)sink;
    return per_thread * 4.0 / elapsed;
  });
  peak.read_gbytes_per_s = bytes_per_second / 1e9;
  return peak;
}

double measure_resident_read(int threads, int64_t bytes_per_thread, double seconds) {
  const int64_t n = std::max<int64_t>(1024, bytes_per_thread / 4);
  std::vector<std::vector<float>> arrays(static_cast<std::size_t>(threads));
  std::atomic<int> ready{0};
  const double bytes_per_second = run_on_threads(threads, [&](int t) {
    arrays[t].assign(static_cast<std::size_t>(n), 1.0f);  // first touch on the reading thread
    const float* data = arrays[t].data();
    ready++;
    while (ready.load() < threads) {
    }
    float total = 0;
    int64_t passes = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
#if defined(__x86_64__)
      total += avx2_kernels() ? sum_avx2(data, n) : std::accumulate(data, data + n, 0.0f);
#else
      total += std::accumulate(data, data + n, 0.0f);
#endif
      ++passes;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    volatile float sink = total;
    (void)sink;
    return static_cast<double>(passes) * n * 4.0 / elapsed;
  });
  return bytes_per_second / 1e9;
}

double measure_barrier_ns(int threads, int crossings) {
  if (threads < 2) return 0;
  SpinBarrier barrier(threads);
  const auto start = Clock::now();
  run_on_threads(threads, [&](int) {
    for (int i = 0; i < crossings; ++i) barrier.wait();
    return 0.0;
  });
  return std::chrono::duration<double>(Clock::now() - start).count() / crossings * 1e9;
}

}  // namespace wn::kernels
