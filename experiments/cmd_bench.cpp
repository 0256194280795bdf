// `wavenet bench <part>`: throughput of each stage on this machine, printed as a table.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <thread>

#include "dataio/preprocess.h"
#include "experiments/cli_common.h"

namespace wn::cli {
namespace {

struct PreprocessBenchArgs {
  std::string input;
  int max_files = 0;
  ConfigArgs config;
};

void bench_preprocess(const PreprocessBenchArgs& args) {
  const Config config = args.config.resolve();
  const double speed = benchmark_feature_extraction(args.input, config, args.max_files, true);
  std::printf("preprocess features (decode, resample, clean, %d-band log-mel at %d Hz, %d threads): "
              "%.1f s of audio per wall second (%.0fx real time)\n",
              config.audio.n_mels, config.audio.sample_rate,
              config.data.threads > 0 ? config.data.threads : static_cast<int>(std::thread::hardware_concurrency()),
              speed, speed);
}

}  // namespace

void register_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Measure the throughput of each part on this machine");
  auto pre = std::make_shared<PreprocessBenchArgs>();
  CLI::App* preprocess = bench->add_subcommand(
      "preprocess", "Feature extraction speed on a corpus, in memory (nothing is written)");
  preprocess->add_option("input", pre->input, "corpus directory, LJSpeech folder or list file")->required();
  preprocess->add_option("--max-files", pre->max_files, "use only the first N files (0 = all)");
  add_config_options(*preprocess, pre->config);
  preprocess->callback([pre] { bench_preprocess(*pre); });
}

}  // namespace wn::cli
