#pragma once
// The picture of an evaluation for TensorBoard: the validation utterance's mel above the mel of
// the audio generated from it (or only the generated audio's, for unconditional models), on
// the recipe's time and frequency axes with one colour scale.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct EvaluationFigure {
  std::vector<uint8_t> png;
  int width = 0, height = 0;
};

// `reference_mel`: frames x n_mels of the validation utterance (empty: none to show);
// `generated`: the evaluation clip as plain audio.
EvaluationFigure evaluation_figure(const std::string& utterance, const std::vector<float>& reference_mel,
                                   const std::vector<float>& generated, const AudioConfig& audio, int64_t step);

}  // namespace wn
