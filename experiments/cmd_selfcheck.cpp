// `wavenet selfcheck`: a short check that the toolchain this build depends on works here:
// every preset validates, round-trips and builds its model family, LibTorch computes correctly,
// BLAS is fast enough, and which CPU kernels and distributed backends are available.

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>
#include <torch/version.h>

#include <chrono>
#include <iomanip>
#include <iostream>

#include "build_info.h"
#include "core/config/config_io.h"
#include "core/cpu_features.h"
#include "core/errors.h"
#include "experiments/cli_common.h"
#include "nets/model_registry.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

// Debian's LibTorch without an optimised BLAS runs sgemm at ~3 GFLOP/s; with OpenBLAS, ~40.
constexpr double kSlowBlasGflops = 8.0;

class Report {
 public:
  void line(bool ok, const std::string& what, const std::string& detail) {
    std::cout << (ok ? "  ok    " : "  FAIL  ") << std::left << std::setw(22) << what << detail
              << "\n";
    failures_ += ok ? 0 : 1;
  }
  void info(const std::string& what, const std::string& detail) {
    std::cout << "  info  " << std::left << std::setw(22) << what << detail << "\n";
  }
  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

void check_presets(Report& report) {
  int found = 0;
  for (const auto& dir : preset_directories()) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".yaml") continue;
      ++found;
      const std::string name = "preset " + entry.path().stem().string();
      try {
        const Config config = resolve_config(entry.path());
        const std::string yaml = config_to_yaml(config);
        const bool round_trips = config_to_yaml(config_from_yaml(yaml, name)) == yaml;
        const std::string built = build_model(config, std::max(1, config.model.n_labels))->describe();
        report.line(round_trips, name, round_trips ? built : "YAML round trip differs");
      } catch (const UserError& e) {
        report.line(false, name, e.what());
      }
    }
    break;  // Only the first directory that exists is the one --config NAME uses.
  }
  if (found == 0) report.line(false, "presets", "no configs/*.yaml found");
}

void check_torch(Report& report) {
  report.info("LibTorch", std::string(TORCH_VERSION) + ", " + std::to_string(at::get_num_threads()) +
                              " threads");
  // Correctness: a small product against a plain loop.
  at::manual_seed(0);
  const at::Tensor a = at::randn({37, 53});
  const at::Tensor b = at::randn({53, 29});
  const at::Tensor c = at::mm(a, b);
  const auto ad = a.accessor<float, 2>();
  const auto bd = b.accessor<float, 2>();
  const auto cd = c.accessor<float, 2>();
  double worst = 0;
  for (int i = 0; i < 37; ++i) {
    for (int j = 0; j < 29; ++j) {
      double sum = 0;
      for (int k = 0; k < 53; ++k) sum += static_cast<double>(ad[i][k]) * bd[k][j];
      worst = std::max(worst, std::abs(sum - cd[i][j]));
    }
  }
  report.line(worst < 1e-3, "matmul correctness", "max error " + std::to_string(worst));

  // Speed: a 1024^3 sgemm, best of three.
  const int n = 1024;
  const at::Tensor x = at::randn({n, n});
  const at::Tensor y = at::randn({n, n});
  at::mm(x, y);  // warm-up
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    at::mm(x, y);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double gflops = 2.0 * n * n * n / best / 1e9;
  std::ostringstream detail;
  detail << std::fixed << std::setprecision(1) << gflops << " GFLOP/s (1024^3 sgemm)";
  if (gflops < kSlowBlasGflops) detail << ": slow; is libopenblas0-pthread installed?";
  report.line(gflops >= kSlowBlasGflops, "BLAS speed", detail.str());
}

int selfcheck() {
  std::cout << "wavenet " << WAVENET_VERSION << " (" << WAVENET_GIT_COMMIT << ") self-check\n";
  Report report;
  std::string families;
  for (const ModelFamily& family : model_families()) families += (families.empty() ? "" : ", ") + family.name;
  report.info("model families", families);
  check_presets(report);
  check_torch(report);
  report.info("CPU features", describe(cpu_features()));
#ifdef USE_C10D_GLOO
  report.info("distributed", "c10d Gloo backend compiled in");
#else
  report.info("distributed", "c10d Gloo backend missing (libgloo-dev not found at build time)");
#endif
#ifdef USE_C10D_NCCL
  report.info("distributed", "c10d NCCL backend compiled in");
#endif
  std::cout << (report.failures() == 0 ? "all checks passed\n"
                                       : std::to_string(report.failures()) + " check(s) failed\n");
  return report.failures() == 0 ? 0 : 1;
}

}  // namespace

void register_selfcheck_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "selfcheck", "Check presets, LibTorch, BLAS speed and CPU features on this machine");
  command->callback([] {
    const int status = selfcheck();
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace wn::cli
