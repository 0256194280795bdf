#include "nets/model_registry.h"

#include "core/errors.h"
#include "nets/rating/rating_family.h"
#include "nets/samplernn/samplernn_family.h"
#include "nets/wavenet/wavenet_family.h"

namespace wn {

const std::vector<ModelFamily>& model_families() {
  static const std::vector<ModelFamily> families = {
      {"wavenet", "dilated causal convolutions (van den Oord et al. 2016), mel and label conditioning", "tiny",
       build_wavenet_model, wavenet_config_summary},
      {"samplernn", "hierarchical frame-level RNN tiers over a sample-level MLP (Mehri et al. 2017)", "samplernn-tiny",
       build_samplernn_model, samplernn_config_summary},
      {"rating", "a critic of log-mel spectrograms (conv over time, per-frame dense layers, averaged): regression on "
                 "data.target or classes",
       "rating", build_rating_model, rating_config_summary},
  };
  return families;
}

const ModelFamily& model_family(const std::string& type) {
  std::string names;
  for (const ModelFamily& family : model_families()) {
    if (family.name == type) return family;
    names += (names.empty() ? "" : ", ") + family.name;
  }
  throw ConfigError("model.type must be one of " + names + ", got '" + type + "'");
}

std::unique_ptr<Model> build_model(const Config& config, int n_labels) {
  return model_family(config.model.type).build(config, n_labels);
}

}  // namespace wn
