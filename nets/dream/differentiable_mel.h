#pragma once
// The log-mel of dataio/mel.h (MelSpectrogram) in LibTorch operations, so a loss on the mel
// sends gradients back to the waveform: the same centred STFT (reflect padding, periodic Hann of
// win_length inside n_fft), the same Slaney filterbank matrix, the same floor and compression.
// It runs in double, like dataio's FFTW path, so the two agree to the mel goldens' tolerance.

#include <ATen/core/Tensor.h>

#include "core/config/config.h"

namespace wn {

class DifferentiableMel {
 public:
  explicit DifferentiableMel(const AudioConfig& audio);

  // audio (B, T), any floating type, T > n_fft/2 -> (B, frames, bins) |X|^audio.power, double.
  at::Tensor spectrogram(const at::Tensor& audio) const;
  // (B, frames, bins) -> (B, frames, n_mels): the filterbank applied.
  at::Tensor mel_of(const at::Tensor& spectrogram) const;
  // max(mel, log_floor) through audio.compression; below the floor the gradient is zero.
  at::Tensor compress(const at::Tensor& mel) const;
  // The whole recipe: audio (B, T) -> compressed (B, frames, n_mels), double.
  at::Tensor compressed(const at::Tensor& audio) const { return compress(mel_of(spectrogram(audio))); }
  // (bins) bool: the STFT bins some mel filter weighs, i.e. the band the mel can see.
  const at::Tensor& seen_bins() const { return seen_bins_; }

 private:
  AudioConfig audio_;
  at::Tensor window_;      // n_fft, double
  at::Tensor filterbank_;  // bins x n_mels, double
  at::Tensor seen_bins_;
};

}  // namespace wn
