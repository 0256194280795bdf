#pragma once
// Scores of clips under a trained critic (a family with Model::critic(), e.g. the rating
// network), in the units users know: the target's own units for a regression critic (the
// checkpoint's target statistics undo the standardisation), a probability for a classifier.

#include <cstdint>
#include <vector>

#include "nets/model_loading.h"

namespace wn {

struct CriticScore {
  double score = 0.0;  // target units, or the probability of `label`
  int64_t label = -1;  // classifiers: the class scored (the most probable one unless asked)
};

// `mel` is one clip's log-mel, frames x n_mels, as the checkpoint's audio recipe makes it (it is
// normalised here when the model was trained with data.normalize_mel). Throws UserError when the
// model is not a critic or the mel does not fit it.
CriticScore score_clip(const LoadedModel& model, std::vector<float> mel, int64_t label = -1);

}  // namespace wn
