#pragma once
// Log-mel spectrograms: Slaney mel scale with Slaney area normalisation (librosa's default;
// torchaudio's mel_scale="slaney", norm="slaney"), over the FFTW STFT, then a log compression.

#include <cstdint>
#include <vector>

#include "core/config/config.h"
#include "dataio/stft.h"

namespace wn {

// Slaney's scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above.
double hz_to_mel_slaney(double hz);
double mel_to_hz_slaney(double mel);

// Triangular filters, n_mels x (n_fft/2+1), each scaled by 2 / (its bandwidth in Hz).
class MelFilterbank {
 public:
  MelFilterbank(int sample_rate, int n_fft, int n_mels, double fmin, double fmax);
  int n_mels() const { return n_mels_; }
  int bins() const { return bins_; }
  // The dense matrix, row-major n_mels x bins.
  std::vector<float> dense() const;
  // mel[m] = sum_b weight[m][b] * spectrum[b], visiting only each filter's non-zero span.
  void apply(const double* spectrum, float* mel) const;

 private:
  int n_mels_;
  int bins_;
  std::vector<int> first_bin_;              // per filter
  std::vector<std::vector<double>> weights_;  // per filter, from first_bin_
};

// Undoes the recipe's log compression of one value: back to a mel magnitude (a power for
// audio.power 2). The floor clamp is not undone.
double decompress_mel(double value, const AudioConfig& audio);

class MelSpectrogram {
 public:
  explicit MelSpectrogram(const AudioConfig& config);
  int n_mels() const { return filterbank_.n_mels(); }
  int64_t frames_for(int64_t samples) const { return stft_.frames_for(samples); }
  // frames x n_mels before compression.
  std::vector<float> linear(const std::vector<float>& audio) const;
  // frames x n_mels after the configured compression: log10 | ln | db of max(S, log_floor).
  std::vector<float> compressed(const std::vector<float>& audio) const;
  // The compressed value of silence, used to pad mel frames beyond an utterance.
  float silence_value() const;

 private:
  enum class Compression { log10, ln, db };
  float compress(float value) const;
  AudioConfig config_;
  Compression compression_;
  Stft stft_;
  MelFilterbank filterbank_;
};

}  // namespace wn
