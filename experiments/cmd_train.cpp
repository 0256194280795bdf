// `wavenet train --data SHARDS --run-dir DIR`: one process, `--nproc N` local workers, or one
// rank of a torchrun / SLURM job (nets/training/trainer.h).

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

#include "build_info.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/process_spawner.h"
#include "core/run_dir.h"
#include "experiments/cli_common.h"
#include "nets/training/trainer.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

// The one piece of global state a signal handler can touch.
std::atomic<bool> g_stop_requested{false};
extern "C" void request_stop(int) { g_stop_requested = true; }

struct TrainArgs {
  std::string data;
  std::string run_dir;
  int nproc = 1;
  std::string init;
  ConfigArgs config;
  std::vector<std::string> argv;
};

// A run directory remembers its model: resuming with a different model or audio recipe would
// fail on the checkpoint anyway, so say so up front.
void check_same_recipe(const fs::path& run_dir, const Config& config) {
  const fs::path saved = run_dir / RunDirectory::kConfigFile;
  if (!fs::exists(saved)) return;
  std::ifstream in(saved);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Config previous = config_from_yaml(text, saved.string());
  Config a, b;
  a.model = previous.model;
  a.audio = previous.audio;
  b.model = config.model;
  b.audio = config.audio;
  if (config_to_yaml(a) != config_to_yaml(b)) {
    throw UserError(run_dir.string() + " holds a run with a different model or audio config (see " +
                    saved.string() + "); use another --run-dir");
  }
}

void run(const TrainArgs& args) {
  const Config config = args.config.resolve();
  const DistributedEnv env = distributed_env();
  if (args.nproc > 1 && env.launcher == "none") {
    // Parent of a local job: start the workers (same arguments) and watch them.
    // A worker stopped for half the collective timeout is named and killed before its peers'
    // timeouts fire, so they fail on a lost peer and the message says which rank it was.
    const auto stopped_limit = std::chrono::milliseconds(
        std::max<int64_t>(1000, static_cast<int64_t>(config.train.dist_timeout_s * 500.0)));
    const SpawnOutcome outcome = run_local_workers(args.argv, args.nproc, stopped_limit);
    if (outcome.exit_code != 0) throw UserError(outcome.message);
    return;
  }
  if (const char* local = std::getenv("LOCAL_WORLD_SIZE")) {
    // Share the cores between the workers of this machine.
    const int workers = std::max(1, std::atoi(local));
    set_compute_threads(std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / workers));
  }
  if (env.rank == 0) check_same_recipe(args.run_dir, config);
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);

  TrainerOptions options;
  options.data_dir = args.data;
  options.run_dir = args.run_dir;
  options.config = config;
  options.distributed = env;
  options.command_line = args.argv;
  options.version = std::string("wavenet ") + WAVENET_VERSION + " (commit " + WAVENET_GIT_COMMIT + ")";
  options.stop_requested = &g_stop_requested;
  options.init_from = args.init;
  const TrainerResult r = train(options);
  if (env.rank != 0) return;
  std::printf("trained steps %lld -> %lld%s; loss %.4f -> %.4f; %.0f samples/s; %lld non-finite steps skipped; "
              "run directory %s\n",
              static_cast<long long>(r.first_step), static_cast<long long>(r.last_step),
              r.stopped_early ? " (stopped by signal)" : "", r.first_loss, r.last_loss, r.samples_per_second,
              static_cast<long long>(r.skipped_steps), args.run_dir.c_str());
}

}  // namespace

void register_train_command(CLI::App& app, int argc, char** argv) {
  auto args = std::make_shared<TrainArgs>();
  args->argv = command_line(argc, argv);
  CLI::App* command = app.add_subcommand("train", "Train a model (model.type: wavenet, samplernn, rating) on preprocessed shards");
  command->add_option("--data", args->data, "output directory of 'wavenet preprocess'")->required();
  command->add_option("--run-dir", args->run_dir,
                      "where config, checkpoints, TensorBoard events, samples and train.log go; an "
                      "existing run is resumed")
      ->required();
  command->add_option("--nproc", args->nproc, "local worker processes (data parallel over Gloo/NCCL)")
      ->check(CLI::Range(1, 1024));
  command->add_option("--init", args->init,
                      "start a fresh run from this checkpoint's weights (file or run directory; its EMA weights), "
                      "at step 0 with a new optimizer: fine-tuning");
  add_config_options(*command, args->config);
  command->footer(
      "Training keys live under train. (train.max_steps, train.batch_size, train.lr, train.device, ...).\n"
      "Under torchrun or SLURM each process is one rank: see docs/training.md.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
