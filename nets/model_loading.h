#pragma once
// A trained model from a checkpoint (or a run directory's latest checkpoint), ready for
// synthesis: its resolved config (model.type picks the family; older checkpoints without it
// are WaveNets), label names and the model with the EMA (default) or raw weights. Refuses
// checkpoints whose weights do not fit the stored config, naming the file.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "dataio/manifest.h"
#include "nets/model.h"

namespace wn {

struct LoadedModel {
  Config config;
  std::vector<std::string> labels;
  std::vector<double> mel_mean, mel_std;  // the training mels' statistics (data.normalize_mel)
  TargetStats target;                     // the corpus target's statistics (critics)
  int64_t step = 0;
  std::filesystem::path checkpoint;
  std::shared_ptr<Model> model;
};

// `path` is a checkpoint file or a run directory.
LoadedModel load_model(const std::filesystem::path& path, bool use_ema);

// A mel-conditioned model's input for a clip's mel rows (frames x n_mels in the recipe's
// compression): (frames + 2*context, n_mels), the context rows silence as the training loader
// pads past an utterance's ends (or the rows' own when `has_context`), standardised when the
// model was trained on standardised mels. Throws UserError for a normalising model without
// statistics.
at::Tensor conditioning_mel(const LoadedModel& model, const std::vector<float>& rows, bool has_context = false);

}  // namespace wn
