#pragma once
// The `wavenet` model family behind the nets/model.h seam: the WaveNet module, its output
// distribution's loss, the cached engine as its fast generator, and the LibTorch incremental
// and naive generators as its baselines.

#include <memory>
#include <string>

#include "core/config/config.h"
#include "nets/model.h"

namespace wn {

// n_labels from the data (model.n_labels, when set, wins).
std::unique_ptr<Model> build_wavenet_model(const Config& config, int n_labels);
// "receptive field N samples (M ms)", for `config show`.
std::string wavenet_config_summary(const Config& config);

}  // namespace wn
