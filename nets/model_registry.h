#pragma once
// The model families this build knows, by model.type. nets/model_registry.cpp is the one place a
// family is added (with its keys in core/config/config.h's ModelConfig::families()).

#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "nets/model.h"

namespace wn {

struct ModelFamily {
  std::string name;         // model.type
  std::string description;  // one line for --help and docs
  std::string small_preset; // a configs/ preset that trains in minutes on a CPU (tests, demos)
  // n_labels: labels in the training data (0 for none); model.n_labels, when set, wins.
  std::unique_ptr<Model> (*build)(const Config& config, int n_labels);
  // What a config implies that the keys do not say (receptive field, frame rates), for `config show`.
  std::string (*summary)(const Config& config);
};

const std::vector<ModelFamily>& model_families();
// Throws ConfigError naming the known families.
const ModelFamily& model_family(const std::string& type);
std::unique_ptr<Model> build_model(const Config& config, int n_labels);

}  // namespace wn
