#include "nets/model_loading.h"

#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "nets/model_registry.h"
#include "nets/training/train_state.h"

namespace wn {

LoadedModel load_model(const std::filesystem::path& path, bool use_ema) {
  LoadedModel loaded;
  loaded.checkpoint = path;
  if (std::filesystem::is_directory(path)) {
    const auto latest = CheckpointDirectory(path).latest();
    if (!latest) throw UserError(path.string() + ": run directory holds no checkpoint");
    loaded.checkpoint = *latest;
  } else if (!std::filesystem::exists(path)) {
    throw UserError(path.string() + ": checkpoint not found");
  }
  const CheckpointWeights w = read_checkpoint_weights(loaded.checkpoint, use_ema);
  loaded.config = config_from_yaml(w.config_yaml, loaded.checkpoint.string() + " (config)");
  const auto n_mels = static_cast<std::size_t>(loaded.config.audio.n_mels);
  if ((!w.mel_mean.empty() || !w.mel_std.empty()) && (w.mel_mean.size() != n_mels || w.mel_std.size() != n_mels)) {
    throw UserError(loaded.checkpoint.string() + ": mel statistics for " + std::to_string(w.mel_mean.size()) +
                    " bins, the config has n_mels " + std::to_string(n_mels));
  }
  loaded.labels = w.labels;
  loaded.mel_mean = w.mel_mean;
  loaded.mel_std = w.mel_std;
  loaded.target = w.target;
  loaded.step = w.step;
  loaded.model = build_model(loaded.config, static_cast<int>(w.labels.size()));
  load_named_state(loaded.model->module(), w.weights, loaded.checkpoint.string());
  loaded.model->module().eval();
  return loaded;
}

}  // namespace wn
