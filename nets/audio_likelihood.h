#pragma once
// How likely a recording is under an autoregressive model: the mean negative log-likelihood of
// its samples t = 1..T-1, teacher-forced (each predicted from the samples before it and the
// conditioning; the first has no history), the audio used as it is (not trimmed or normalised)
// apart from the model's own time domain: the recipe's gain and pre-emphasis, as training applied
// them (pre-emphasis has unit Jacobian, so it leaves the density unchanged). The number models are
// compared by, and the check of an imported model.

#include <cmath>
#include <cstdint>
#include <vector>

#include "nets/model_loading.h"

namespace wn {

struct AudioLikelihood {
  int64_t samples = 0;  // scored, the first excluded
  double nats_per_sample = 0.0;
  double bits_per_sample() const { return nats_per_sample / std::log(2.0); }
};

struct LikelihoodInput {
  std::vector<float> audio;  // at the model's sample rate
  // Mel-conditioned models: rows of n_mels as the model's recipe makes them (normalised here
  // when it was trained on normalised mels); empty: made from the audio with that recipe. Rows
  // beyond the audio are an error; audio beyond the rows is not scored.
  std::vector<float> mel;
  bool mel_has_context = false;  // the rows include the model's silence context rows each side
  int64_t label = -1;            // globally conditioned models
};

// Throws UserError when the model does not model audio, the input does not fit it, or the
// family's teacher forcing needs what a file does not give (a pitch-conditioned WaveNet's F0).
AudioLikelihood audio_likelihood(const LoadedModel& model, const LikelihoodInput& input);

}  // namespace wn
