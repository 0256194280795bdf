#pragma once
// The `samplernn` model family behind the nets/model.h seam: the SampleRNN module trained with
// truncated backpropagation through time (sequential crops, hidden states carried between
// steps and reset at utterance starts), its fast CPU engine, and the LibTorch step generator
// as the reference and baseline.

#include <memory>
#include <string>

#include "core/config/config.h"
#include "nets/model.h"

namespace wn {

std::unique_ptr<Model> build_samplernn_model(const Config& config, int n_labels);
// Frame rates of the tiers, for `config show`.
std::string samplernn_config_summary(const Config& config);

}  // namespace wn
