#pragma once
// The training loop of `wavenet train`: data-parallel over c10d when there are several ranks,
// with Adam, LR schedules, gradient clipping, EMA, TensorBoard logs, periodic evaluation,
// atomic checkpoints and exact resume, and a graceful stop on SIGINT/SIGTERM.

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/distributed.h"
#include "dataio/loader.h"
#include "nets/model.h"

namespace wn {

struct TrainerOptions {
  std::filesystem::path data_dir;
  std::filesystem::path run_dir;
  Config config;
  DistributedEnv distributed;           // world_size 1: no process group
  std::vector<std::string> command_line;
  std::string version;                  // program version and commit, for the run directory
  bool show_progress = true;
  // Set from a signal handler; the loop stops after the current step and checkpoints.
  const std::atomic<bool>* stop_requested = nullptr;
  // Wall-clock budget in seconds (0: none); reaching it stops like a signal (the demo uses it).
  double max_seconds = 0;
  // A fresh run starts from this checkpoint's weights (a file or a run directory's latest; its
  // EMA average, the weights synthesis uses) instead of a random initialisation, at step 0 with
  // a new optimizer: fine-tuning. Ignored, with a log line, when the run directory resumes.
  std::filesystem::path init_from;
  // Tests: called after each optimizer step with the step number.
  std::function<void(int64_t)> on_step;
};

struct TrainerResult {
  int64_t first_step = 0;   // step the run started from (0, or the resumed checkpoint's)
  int64_t last_step = 0;
  double first_loss = 0.0;  // mean training loss of the first logging window
  double last_loss = 0.0;   // mean training loss of the last logging window
  int64_t skipped_steps = 0;
  double samples_per_second = 0.0;  // over all ranks, excluding the first step
  bool stopped_early = false;       // by a signal
  std::vector<std::pair<int64_t, double>> validation_losses;  // (step, loss) of each evaluation
  std::vector<std::pair<int64_t, NamedFigures>> validation_figures;  // (step, the family's figures) likewise
};

TrainerResult train(const TrainerOptions& options);

// The loader settings training uses for a model with these needs, on rank `rank` of `world_size`.
LoaderOptions training_loader_options(const Config& config, const DataNeeds& needs, int rank = 0, int world_size = 1);

// Mean loss of `model` on the validation split of `data_dir`, as training's evaluation computes
// it: deterministic crops from the start of each of up to train.eval_utterances utterances
// (eight training chunks long for sequential families, one crop otherwise). 0 when there is no
// validation split.
double validation_loss(Model& model, const Config& config, const std::filesystem::path& data_dir, const std::string& device);
// The family's own figures (Model::validation_figures, e.g. a critic's correlations) on the same
// validation crops; empty without a validation split.
NamedFigures validation_figures(Model& model, const Config& config, const std::filesystem::path& data_dir,
                                const std::string& device);

// Training samples per second of `config`'s model on random data (batch train.batch_size x
// train.max_time_steps): a whole training step (forward, backward, gradient norm, clipping, Adam
// and the weight average) as train() makes it, timed over `steps` after `warmup`.
double benchmark_training(const Config& config, int steps, int warmup);

// Selects the device for train.device (auto: CUDA when LibTorch sees a GPU). "cuda" gives each
// process the GPU of its local rank (modulo the visible count); "cuda:N" with more than one
// process is an error (they would all share GPU N).
std::string resolve_device(const std::string& requested, int local_rank, int world_size);

}  // namespace wn
