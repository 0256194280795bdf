#pragma once
// The classical baseline vocoder: a linear spectrogram from the mel through the filterbank's
// pseudo-inverse, then Griffin-Lim phase reconstruction (FFTW STFT/ISTFT with the same
// window, hop and centring as the features), so "WaveNet vs Griffin-Lim" is measured on the
// same mels.

#include <functional>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct GriffinLimOptions {
  int iterations = 60;
  double momentum = 0.99;  // "fast Griffin-Lim" (Perraudin et al.); 0 is the classic algorithm
  uint64_t seed = 0;       // initial phases
  // Called after each iteration with the spectral convergence of the current estimate.
  std::function<void(int iteration, double convergence)> on_iteration;
};

// mel: frames x n_mels in the recipe's compression. Returns frames * hop_length samples.
std::vector<float> griffin_lim_from_mel(const std::vector<float>& mel, const AudioConfig& audio,
                                        const GriffinLimOptions& options = {});

// Magnitudes (frames x bins, |X|^audio.power undone) from a compressed mel via the pseudo-inverse.
std::vector<float> mel_to_linear_magnitude(const std::vector<float>& mel, const AudioConfig& audio);

// Spectral convergence || |STFT(x)| - S ||_F / ||S||_F.
double spectral_convergence(const std::vector<float>& audio, const std::vector<float>& magnitude,
                            const AudioConfig& config);

}  // namespace wn
