#include "dataio/mel.h"

#include <algorithm>
#include <cmath>

namespace wn {
namespace {

constexpr double kLinearHzPerMel = 200.0 / 3.0;
constexpr double kLogStartHz = 1000.0;
constexpr double kLogStartMel = kLogStartHz / kLinearHzPerMel;  // 15
const double kLogStep = std::log(6.4) / 27.0;

}  // namespace

double hz_to_mel_slaney(double hz) {
  if (hz < kLogStartHz) return hz / kLinearHzPerMel;
  return kLogStartMel + std::log(hz / kLogStartHz) / kLogStep;
}

double mel_to_hz_slaney(double mel) {
  if (mel < kLogStartMel) return mel * kLinearHzPerMel;
  return kLogStartHz * std::exp(kLogStep * (mel - kLogStartMel));
}

double decompress_mel(double value, const AudioConfig& a) {
  if (a.compression == "ln") return std::exp(value);
  if (a.compression == "db") return std::pow(10.0, value / (a.power == 2 ? 10.0 : 20.0));
  return std::pow(10.0, value);
}

MelFilterbank::MelFilterbank(int sample_rate, int n_fft, int n_mels, double fmin, double fmax)
    : n_mels_(n_mels), bins_(n_fft / 2 + 1), first_bin_(n_mels), weights_(n_mels) {
  // Band edges equally spaced in mel; bin centres equally spaced in Hz from 0 to Nyquist.
  const double mel_lo = hz_to_mel_slaney(fmin), mel_hi = hz_to_mel_slaney(fmax);
  std::vector<double> edge_hz(n_mels + 2);
  for (int i = 0; i < n_mels + 2; ++i) {
    edge_hz[i] = mel_to_hz_slaney(mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1));
  }
  const double nyquist = sample_rate / 2.0;
  for (int m = 0; m < n_mels; ++m) {
    const double left = edge_hz[m], centre = edge_hz[m + 1], right = edge_hz[m + 2];
    const double area_norm = 2.0 / (right - left);
    int first = -1;
    std::vector<double> row;
    for (int b = 0; b < bins_; ++b) {
      const double hz = nyquist * b / (bins_ - 1);
      const double rising = (hz - left) / (centre - left);
      const double falling = (right - hz) / (right - centre);
      const double w = std::max(0.0, std::min(rising, falling)) * area_norm;
      if (w > 0.0) {
        if (first < 0) first = b;
        row.resize(static_cast<std::size_t>(b - first + 1), 0.0);
        row.back() = w;
      }
    }
    first_bin_[m] = std::max(first, 0);
    weights_[m] = std::move(row);
  }
}

std::vector<float> MelFilterbank::dense() const {
  std::vector<float> matrix(static_cast<std::size_t>(n_mels_) * bins_, 0.0f);
  for (int m = 0; m < n_mels_; ++m) {
    std::copy(weights_[m].begin(), weights_[m].end(),
              matrix.begin() + static_cast<std::ptrdiff_t>(m) * bins_ + first_bin_[m]);
  }
  return matrix;
}

void MelFilterbank::apply(const double* spectrum, float* mel) const {
  for (int m = 0; m < n_mels_; ++m) {
    const double* s = spectrum + first_bin_[m];
    const std::vector<double>& w = weights_[m];
    double sum = 0.0;
    for (std::size_t i = 0; i < w.size(); ++i) sum += w[i] * s[i];
    mel[m] = static_cast<float>(sum);
  }
}

MelSpectrogram::MelSpectrogram(const AudioConfig& config)
    : config_(config),
      compression_(config.compression == "ln"   ? Compression::ln
                   : config.compression == "db" ? Compression::db
                                                : Compression::log10),
      stft_(config.n_fft, config.win_length, config.hop_length),
      filterbank_(config.sample_rate, config.n_fft, config.n_mels, config.fmin, config.fmax) {}

std::vector<float> MelSpectrogram::linear(const std::vector<float>& audio) const {
  const std::vector<double> spectrum = stft_.spectrogram(audio, config_.power);
  const int64_t frames = static_cast<int64_t>(spectrum.size()) / stft_.bins();
  std::vector<float> mel(static_cast<std::size_t>(frames * n_mels()));
  for (int64_t f = 0; f < frames; ++f) {
    filterbank_.apply(spectrum.data() + f * stft_.bins(), mel.data() + f * n_mels());
  }
  return mel;
}

float MelSpectrogram::compress(float value) const {
  const double clamped = std::max(static_cast<double>(value), config_.log_floor);
  switch (compression_) {
    case Compression::ln: return static_cast<float>(std::log(clamped));
    case Compression::db:
      return static_cast<float>((config_.power == 2 ? 10.0 : 20.0) * std::log10(clamped));
    case Compression::log10: break;
  }
  return static_cast<float>(std::log10(clamped));
}

std::vector<float> MelSpectrogram::compressed(const std::vector<float>& audio) const {
  std::vector<float> mel = linear(audio);
  for (float& v : mel) v = compress(v);
  return mel;
}

float MelSpectrogram::silence_value() const { return compress(0.0f); }

}  // namespace wn
