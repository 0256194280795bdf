#pragma once
// What a training checkpoint holds, and how it maps to the dict Python's torch.load returns:
//   model, ema, optimizer: {name: tensor}     step, optimizer_steps, ema_updates, loader_position: int
//   rng: CPU generator state (uint8 tensor)   config: resolved YAML   labels: [names]
//   mel_mean, mel_std: float64 (n_mels) training-split statistics (for data.normalize_mel)
//   model_type: model.type (a checkpoint without it is a WaveNet)
//   target: {kind: str, mean: float, std: float}, the corpus target's training statistics (critics
//   score in standardised units; absent in older checkpoints)
//   carried_state: {name: tensor (ranks, batch rows, ...)}, carried_world: int (sequential
//   families only: every rank's TBPTT state, so training streams continue exactly)

#include <filesystem>
#include <string>
#include <vector>

#include "dataio/manifest.h"
#include "nets/model.h"
#include "nets/training/adam.h"
#include "nets/training/ema.h"

namespace wn {

struct TrainState {
  int64_t step = 0;
  int64_t loader_position = 0;
  std::string config_yaml;
  std::string model_type = "wavenet";  // for Python readers; loading goes by the config
  std::vector<std::string> labels;
  std::vector<double> mel_mean, mel_std;
  TargetStats target;
  NamedTensors carried;   // (ranks, ...) per name
  int carried_world = 1;
};

void save_training_checkpoint(const std::filesystem::path& path, torch::nn::Module& module, const Adam& adam,
                              const WeightAverage& ema, const TrainState& state);

// Restores everything into already-built objects. Throws UserError naming the file when the
// checkpoint does not match the model.
TrainState load_training_checkpoint(const std::filesystem::path& path, torch::nn::Module& module, Adam& adam,
                                    WeightAverage& ema);

// For synthesis: the config and labels, and the model weights (EMA or raw) by name.
struct CheckpointWeights {
  std::string config_yaml;
  std::vector<std::string> labels;
  std::vector<double> mel_mean, mel_std;  // empty in checkpoints written before they were stored
  TargetStats target;                     // kind none in checkpoints without one
  int64_t step = 0;
  std::vector<std::pair<std::string, torch::Tensor>> weights;
};
CheckpointWeights read_checkpoint_weights(const std::filesystem::path& path, bool use_ema);

// Named parameters and buffers of a module, in registration order.
std::vector<std::pair<std::string, torch::Tensor>> named_state(torch::nn::Module& module);
// Copies weights into the module's parameters; throws UserError on a missing name or shape.
void load_named_state(torch::nn::Module& module, const std::vector<std::pair<std::string, torch::Tensor>>& weights,
                      const std::string& origin);

}  // namespace wn
