#include "nets/critic_scoring.h"

#include <torch/torch.h>

#include <cmath>

#include "core/errors.h"
#include "dataio/loader.h"

namespace wn {

CriticScore score_clip(const LoadedModel& model, std::vector<float> mel, int64_t label) {
  MelCritic* critic = model.model->critic();
  if (!critic) {
    throw UserError(model.checkpoint.string() + ": model.type=" + model.config.model.type + " is not a critic; "
                    "rate with a rating model");
  }
  const int n_mels = model.config.audio.n_mels;
  const auto frames = static_cast<int64_t>(mel.size()) / n_mels;
  if (frames < 1 || static_cast<int64_t>(mel.size()) != frames * n_mels) {
    throw UserError("a mel of " + std::to_string(mel.size()) + " values is not whole frames of " + std::to_string(n_mels) + " bins");
  }
  if (model.config.data.normalize_mel) MelNormalizer(model.mel_mean, model.mel_std).apply(mel.data(), frames);
  torch::NoGradGuard no_grad;
  const torch::Tensor input = torch::from_blob(mel.data(), {1, frames, n_mels}, torch::kFloat);
  CriticScore result;
  if (critic->regression()) {
    result.score = critic->score(input).item<double>() * model.target.std + model.target.mean;
    return result;
  }
  // A classifier: the asked class's probability, or the most probable class's.
  const torch::Tensor log_probabilities = critic->class_log_probabilities(input)[0];
  if (label >= log_probabilities.size(0)) {
    throw UserError("label id " + std::to_string(label) + " is not one of the model's " +
                    std::to_string(log_probabilities.size(0)) + " labels");
  }
  result.label = label >= 0 ? label : log_probabilities.argmax().item<int64_t>();
  result.score = std::exp(log_probabilities[result.label].item<double>());
  return result;
}

}  // namespace wn
