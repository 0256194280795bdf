#pragma once
// The pitch head of a pitch-conditioned WaveNet (model.pitch_harmonics > 0): per mel frame, a
// voicing logit and log(F0 / 100 Hz), read from the frame and its neighbours (the same rows the
// conditioning upsampler's first conv reads). Trained against the loader's YIN track of the
// audio; at synthesis its F0 drives the sine source (harmonic_source.h), so a mel is all a
// generator needs. Layers: each row standardised across its bins (the pitch is in the pattern
// of the bins, not in the level; whatever the mel's compression or normalisation), conv over
// rows (n_mels -> 64), ReLU, 1x1, ReLU, 1x1 to 2.

#include <torch/torch.h>

#include "nets/wavenet/pitch_rows.h"

namespace wn {

class PitchHeadImpl : public torch::nn::Cloneable<PitchHeadImpl> {
 public:
  PitchHeadImpl(int n_mels, int kernel, int hidden = 64);
  void reset() override;

  // (B, frames + kernel - 1, n_mels) -> (B, 2, frames)
  torch::Tensor forward(const torch::Tensor& mel);
  // The F0 of each frame, (B, frames) float32 Hz, 0 where unvoiced (no gradient).
  torch::Tensor f0(const torch::Tensor& mel);
  PitchHeadArrays arrays() const;

 private:
  int n_mels_, kernel_, hidden_;
  torch::nn::Conv1d rows_{nullptr}, mix_{nullptr}, out_{nullptr};
};
TORCH_MODULE(PitchHead);

// The head's training loss for outputs (B, 2, frames) and the F0 track (B, frames) Hz: binary
// cross-entropy of the voicing, plus the squared error of log F0 over the voiced frames.
torch::Tensor pitch_head_loss(const torch::Tensor& outputs, const torch::Tensor& f0);

// The sine source of F0 tracks (B, frames) Hz: (B, 2H + 1, frames * hop) float32 on the CPU;
// with phase (B, frames) cycles, locked to it (HarmonicSource::lock_phases).
torch::Tensor harmonic_source_tensor(const torch::Tensor& f0, int harmonics, int hop, int sample_rate,
                                     const torch::Tensor& phase = {});

}  // namespace wn
