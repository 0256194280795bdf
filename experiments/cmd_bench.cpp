// `wavenet bench <part>`: throughput of each stage on this machine, printed as a table.

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "dataio/loader.h"
#include "dataio/manifest.h"
#include "dataio/preprocess.h"
#include "nets/model_registry.h"
#include "nets/training/trainer.h"
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

struct LoaderBenchArgs {
  std::string data;
  int batches = 200;
  ConfigArgs config;
};

void bench_loader(const LoaderBenchArgs& args) {
  const Manifest manifest = read_manifest(args.data);
  const Config config = args.config.resolve();
  const LoaderOptions options = training_loader_options(config, build_model(config, 1)->data_needs());
  TrainLoader loader(args.data, manifest, options);
  loader.next();  // start-up (opening shards, first read) is not what we measure
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < args.batches; ++i) loader.next();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double batches_per_second = args.batches / wall;
  const double samples_per_second = batches_per_second * options.batch_size * options.crop_samples;
  std::printf("loader: %d batches of %d x %lld samples in %.2f s: %.1f batches/s, %.0f samples/s\n",
              args.batches, options.batch_size, static_cast<long long>(options.crop_samples), wall,
              batches_per_second, samples_per_second);
  // What the loader must outpace: the training steps of the same config, measured now.
  const double consumed = benchmark_training(config, 2, 1);
  std::printf("that is %.1fx the %.0f samples/s a training step of this config consumes (measured now, %d threads)\n",
              samples_per_second / consumed, consumed, at::get_num_threads());
}

struct TrainBenchArgs {
  int steps = 5;
  int warmup = 1;
  ConfigArgs config;
};

void bench_train(const TrainBenchArgs& args) {
  const Config config = args.config.resolve();
  const double rate = benchmark_training(config, args.steps, args.warmup);
  // No ratio: a figure measured elsewhere, on another machine or day, would mislead.
  std::printf("train step (%s, batch %d x %d samples, %d threads): %.0f samples/s\n",
              model_family(config.model.type).summary(config).c_str(), config.train.batch_size,
              config.train.max_time_steps, at::get_num_threads(), rate);
}

}  // namespace

void register_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Measure generation speed (the default: engine vs baselines) or another part's throughput");
  bench->require_subcommand(0, 1);  // the engine benchmark runs when no part is named
  register_bench_engine(*bench);
  register_bench_kernels(*bench);
  auto pre = std::make_shared<PreprocessBenchArgs>();
  CLI::App* preprocess = bench->add_subcommand(
      "preprocess", "Feature extraction speed on a corpus, in memory (nothing is written)");
  preprocess->add_option("input", pre->input, "corpus directory, LJSpeech folder or list file")->required();
  preprocess->add_option("--max-files", pre->max_files, "use only the first N files (0 = all)");
  add_config_options(*preprocess, pre->config);
  preprocess->callback([pre] { bench_preprocess(*pre); });

  auto loader = std::make_shared<LoaderBenchArgs>();
  CLI::App* loader_cmd = bench->add_subcommand(
      "loader", "Training batches per second from preprocessed shards (config: train.batch_size, "
                "train.max_time_steps)");
  loader_cmd->add_option("--data", loader->data, "output directory of 'wavenet preprocess'")->required();
  loader_cmd->add_option("--batches", loader->batches, "batches to time")->capture_default_str();
  add_config_options(*loader_cmd, loader->config);
  loader_cmd->callback([loader] { bench_loader(*loader); });

  auto train = std::make_shared<TrainBenchArgs>();
  CLI::App* train_cmd = bench->add_subcommand(
      "train", "Training samples per second of a preset on random data (whole steps: forward, backward, norm, Adam, EMA)");
  train_cmd->add_option("--steps", train->steps, "timed steps")->capture_default_str();
  train_cmd->add_option("--warmup", train->warmup, "untimed steps first")->capture_default_str();
  add_config_options(*train_cmd, train->config);
  train_cmd->callback([train] { bench_train(*train); });
}

}  // namespace wn::cli
