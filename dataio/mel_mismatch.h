#pragma once
// Does an incoming mel look like the mels a model was trained on? The commonest vocoder failure
// in the field is a mel made with another recipe (natural log instead of log10, decibels,
// already standardised, another floor or band): the model then makes noise or a pitch shift
// without a word. This compares the mel's per-band means with the training mels' statistics
// (stored in the checkpoint) and names the likeliest cause in one line (natural log, the log of
// Tacotron 2's recipe, decibels, standardised mels), pointing to --mel-recipe where a named
// recipe (dataio/mel_recipe.h) is the likely source.

#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

// `mel` is frames x n_mels as given; mean/std per band are the training mels' (in the recipe's
// compression). Returns "" when the mel fits (its band means within `tolerance` training
// standard deviations of the training means, on average), else a one-line warning.
std::string mel_mismatch_warning(const std::vector<float>& mel, const std::vector<double>& mean, const std::vector<double>& std,
                                 const AudioConfig& recipe, double tolerance = 2.0);

}  // namespace wn
