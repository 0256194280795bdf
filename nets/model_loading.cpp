#include "nets/model_loading.h"

#include <torch/torch.h>

#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/loader.h"
#include "dataio/mel.h"
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

at::Tensor conditioning_mel(const LoadedModel& model, const std::vector<float>& rows, bool has_context) {
  const AudioConfig& a = model.config.audio;
  const int context = has_context ? 0 : model.model->data_needs().context_frames;
  const auto count = static_cast<int64_t>(rows.size()) / a.n_mels;
  torch::Tensor mel = torch::full({count + 2 * context, a.n_mels}, MelSpectrogram(a).silence_value());
  mel.narrow(0, context, count).copy_(torch::from_blob(const_cast<float*>(rows.data()), {count, a.n_mels}, torch::kFloat));
  if (model.config.data.normalize_mel) {
    if (model.mel_mean.size() != static_cast<std::size_t>(a.n_mels)) {
      throw UserError(model.checkpoint.string() + ": trained with data.normalize_mel but holds no mel statistics (an older checkpoint)");
    }
    MelNormalizer(model.mel_mean, model.mel_std).apply(mel.data_ptr<float>(), mel.size(0));
  }
  return mel;
}

}  // namespace wn
