#include "nets/training/evaluation_figure.h"

#include "dataio/figures/spectrogram_figure.h"
#include "dataio/mel.h"

namespace wn {

EvaluationFigure evaluation_figure(const std::string& utterance, const std::vector<float>& reference_mel,
                                   const std::vector<float>& generated, const AudioConfig& audio, int64_t step) {
  std::vector<SpectrogramPanel> panels;
  if (!reference_mel.empty()) panels.push_back({"validation mel: " + utterance, reference_mel, audio.n_mels});
  panels.push_back({"generated at step " + std::to_string(step), MelSpectrogram(audio).compressed(generated), audio.n_mels});
  EvaluationFigure figure;
  figure.width = 900;
  figure.height = 120 + 220 * static_cast<int>(panels.size());
  figure.png = spectrogram_figure_png(utterance + ": validation mel and the model's audio, step " + std::to_string(step), panels,
                                      spectrogram_axes(audio), figure.width, figure.height);
  return figure;
}

}  // namespace wn
