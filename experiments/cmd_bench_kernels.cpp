// `wavenet bench kernels`: the matrix products of the engine's steps alone, one row (batch 1),
// one thread, fp32 and bf16 weights, for the shapes a thread sees in the presets on 2 threads.
// Each shape runs over as many distinct weight matrices as the model has layers, so that the
// weights come from where a real step finds them (L2 when they fit, else L3).

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/kernels/kernels.h"
#include "experiments/cli_common.h"

namespace wn::cli {
namespace {

struct KernelShape {
  const char* what;
  int k, n, layers;
};

// Per thread of 2: r64k2's taps (2 x 64 inputs, 64 of 128 gate columns), skip share and
// residual; mol24's taps (3 x 128, 128 of 256), skip share and residual.
constexpr KernelShape kShapes[] = {
    {"r64k2 taps", 128, 64, 20},  {"r64k2 skip share", 32, 128, 20}, {"r64k2 residual", 64, 64, 20},
    {"mol24 taps", 384, 128, 24}, {"mol24 skip share", 64, 128, 24}, {"mol24 residual", 128, 128, 24},
};

struct KernelBenchArgs {
  std::string kernels;
  double seconds = 0.3;
};

double microseconds_per_product(const kernels::KernelTable& kt, const KernelShape& s, bool bf16, double seconds) {
  std::vector<std::vector<float>> w32(s.layers, std::vector<float>(static_cast<std::size_t>(s.k) * s.n, 0.01f));
  std::vector<std::vector<uint16_t>> w16(s.layers, std::vector<uint16_t>(static_cast<std::size_t>(s.k) * s.n, kernels::to_bf16(0.01f)));
  std::vector<float> x(s.k, 0.5f), y(s.n, 0.0f);
  int64_t products = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int l = 0; l < s.layers; ++l) {
      kernels::MatmulArgs a;
      a.x = x.data();
      a.x_stride = s.k;
      a.k = s.k;
      a.w = bf16 ? static_cast<const void*>(w16[l].data()) : static_cast<const void*>(w32[l].data());
      a.w_bf16 = bf16;
      a.w_pairs = bf16 && kt.bf16_pairs;  // every k here is even: the same bytes, read in pairs
      a.w_stride = s.n;
      a.y = y.data();
      a.y_stride = s.n;
      a.n_end = s.n;
      a.accumulate = true;
      kt.matmul(a);
    }
    products += s.layers;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return elapsed / static_cast<double>(products) * 1e6;
}

void bench_kernels(const KernelBenchArgs& args) {
  const kernels::KernelTable& kt = args.kernels.empty() ? kernels::best_kernels() : kernels::kernels_named(args.kernels);
  std::printf("kernels %s, one row, one thread; weights read per product over all layers' matrices%s\n", kt.name,
              kt.bf16_pairs ? "; bf16 in k pairs (vdpbf16ps layout)" : "");
  std::printf("%-18s %5s %5s %7s %6s %10s %8s\n", "product", "k", "n", "layers", "prec", "us/product", "GB/s");
  for (const KernelShape& s : kShapes) {
    for (const bool bf16 : {false, true}) {
      const double us = microseconds_per_product(kt, s, bf16, args.seconds);
      const double bytes = static_cast<double>(s.k) * s.n * (bf16 ? 2 : 4);
      std::printf("%-18s %5d %5d %7d %6s %10.3f %8.1f\n", s.what, s.k, s.n, s.layers, bf16 ? "bf16" : "fp32", us, bytes / us / 1e3);
    }
  }
}

}  // namespace

void register_bench_kernels(CLI::App& bench) {
  auto args = std::make_shared<KernelBenchArgs>();
  CLI::App* command = bench.add_subcommand("kernels", "The engine's per-step matrix products alone: microseconds and GB/s per shape");
  command->add_option("--kernels", args->kernels, "force scalar, avx2, avx512, avx512bf16 or avx512bf16-emulated kernels (one this CPU lacks: the best it has; the output names the table used)");
  command->add_option("--seconds", args->seconds, "time per shape and precision")->capture_default_str()->check(CLI::PositiveNumber);
  command->callback([args] { bench_kernels(*args); });
}

}  // namespace wn::cli
