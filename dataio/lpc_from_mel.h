#pragma once
// Linear prediction from a mel frame (the idea of LPCNet, Valin & Skoglund 2019): the mel says
// what the spectral envelope is, so an all-pole filter fitted to it predicts most of each sample
// from the samples before it, and a vocoder only has to model what is left (the excitation).
// The envelope is the mel frame spread back over the FFT bins (each bin the filter-weighted
// average of its bands' mean levels; bins outside fmin..fmax take the nearest band's level),
// its autocorrelation a cosine sum over the bins, and the predictor Levinson-Durbin's solution,
// with a Gaussian lag window and a white-noise floor so that every filter is stable.

#include <vector>

#include "core/config/config.h"

namespace wn {

class MelToLpc {
 public:
  // `order` predictor taps for mels made by the `audio` recipe (any compression, power 1 or 2).
  MelToLpc(const AudioConfig& audio, int order);
  int order() const { return order_; }
  int n_mels() const { return audio_.n_mels; }
  // The predictor of one compressed mel frame (n_mels values): out[k] weighs the sample k + 1
  // steps back, so the prediction of x[t] is sum_k out[k] * x[t - 1 - k].
  void coefficients(const float* mel_frame, float* out) const;
  // Every frame of a frames x n_mels matrix: frames x order.
  std::vector<float> coefficients(const std::vector<float>& mel) const;
  // The power spectrum (n_fft/2 + 1 bins) the predictor of `mel_frame` is fitted to; for tests.
  std::vector<double> envelope(const float* mel_frame) const;

 private:
  AudioConfig audio_;
  int order_;
  int bins_;
  std::vector<double> band_weight_;     // bins x n_mels: a bin's level from the mel's levels
  std::vector<double> cosines_;         // (order + 1) x bins: cos(2 pi k b / n_fft), end bins halved
  std::vector<double> lag_window_;      // order + 1
};

}  // namespace wn
