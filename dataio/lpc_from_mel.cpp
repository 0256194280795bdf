#include "dataio/lpc_from_mel.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "dataio/mel.h"

namespace wn {
namespace {

// Bandwidth of the Gaussian lag window: widens every pole a little, so no predictor rings on a
// harmonic the smooth mel envelope only hints at.
constexpr double kLagWindowHz = 50.0;
// White-noise correction: the envelope's power plus -40 dB of its mean keeps Levinson-Durbin
// away from singular systems (silence, band-limited frames).
constexpr double kNoiseFloor = 1e-4;

}  // namespace

MelToLpc::MelToLpc(const AudioConfig& audio, int order) : audio_(audio), order_(order), bins_(audio.n_fft / 2 + 1) {
  if (order < 1) throw std::invalid_argument("linear prediction needs an order of at least 1");
  const MelFilterbank filterbank(audio.sample_rate, audio.n_fft, audio.n_mels, audio.fmin, audio.fmax);
  const std::vector<float> dense = filterbank.dense();
  const int M = audio.n_mels;
  std::vector<double> band_sum(M, 0.0);
  std::vector<double> bin_coverage(bins_, 0.0);
  for (int m = 0; m < M; ++m) {
    for (int b = 0; b < bins_; ++b) {
      band_sum[m] += dense[static_cast<std::size_t>(m) * bins_ + b];
      bin_coverage[b] += dense[static_cast<std::size_t>(m) * bins_ + b];
    }
  }
  // A band's level is its mel value over its filter's sum (the filters are area-normalised, so
  // this is the mean magnitude under the filter); a bin's, its filters' weighted mean of those.
  band_weight_.assign(static_cast<std::size_t>(bins_) * M, 0.0);
  const double nyquist = audio.sample_rate / 2.0;
  for (int b = 0; b < bins_; ++b) {
    double* row = band_weight_.data() + static_cast<std::size_t>(b) * M;
    if (bin_coverage[b] > 0.0) {
      for (int m = 0; m < M; ++m) {
        const double w = dense[static_cast<std::size_t>(m) * bins_ + b];
        if (w > 0.0 && band_sum[m] > 0.0) row[m] = w / (bin_coverage[b] * band_sum[m]);
      }
    } else {
      const double hz = nyquist * b / (bins_ - 1);
      const int m = hz < audio.fmin ? 0 : M - 1;
      if (band_sum[m] > 0.0) row[m] = 1.0 / band_sum[m];
    }
  }
  cosines_.assign(static_cast<std::size_t>(order + 1) * bins_, 0.0);
  for (int k = 0; k <= order; ++k) {
    for (int b = 0; b < bins_; ++b) {
      const double ends = (b == 0 || b == bins_ - 1) ? 1.0 : 2.0;  // the bins stand for both halves of the circle
      cosines_[static_cast<std::size_t>(k) * bins_ + b] = ends * std::cos(2.0 * M_PI * k * b / audio.n_fft);
    }
  }
  lag_window_.resize(order + 1);
  for (int k = 0; k <= order; ++k) {
    const double x = 2.0 * M_PI * kLagWindowHz * k / audio.sample_rate;
    lag_window_[k] = std::exp(-0.5 * x * x);
  }
}

std::vector<double> MelToLpc::envelope(const float* mel_frame) const {
  const int M = audio_.n_mels;
  std::vector<double> levels(M);
  for (int m = 0; m < M; ++m) levels[m] = decompress_mel(mel_frame[m], audio_);
  std::vector<double> power(bins_, 0.0);
  for (int b = 0; b < bins_; ++b) {
    const double* row = band_weight_.data() + static_cast<std::size_t>(b) * M;
    double level = 0.0;
    for (int m = 0; m < M; ++m) level += row[m] * levels[m];
    power[b] = audio_.power == 2 ? level : level * level;
  }
  return power;
}

void MelToLpc::coefficients(const float* mel_frame, float* out) const {
  const std::vector<double> power = envelope(mel_frame);
  std::vector<double> r(order_ + 1, 0.0);
  for (int k = 0; k <= order_; ++k) {
    const double* c = cosines_.data() + static_cast<std::size_t>(k) * bins_;
    double sum = 0.0;
    for (int b = 0; b < bins_; ++b) sum += c[b] * power[b];
    r[k] = sum * lag_window_[k];
  }
  std::fill(out, out + order_, 0.0f);
  if (!(r[0] > 0.0) || !std::isfinite(r[0])) return;  // silence (or nothing usable): no prediction
  r[0] *= 1.0 + kNoiseFloor;
  // Levinson-Durbin for the error filter 1 + a1 z^-1 + ... + ap z^-p.
  std::vector<double> a(order_ + 1, 0.0), previous(order_ + 1, 0.0);
  a[0] = 1.0;
  double error = r[0];
  for (int i = 1; i <= order_; ++i) {
    double acc = r[i];
    for (int j = 1; j < i; ++j) acc += a[j] * r[i - j];
    const double reflection = -acc / error;
    if (!(std::abs(reflection) < 1.0)) break;  // numerically singular: keep the lower-order predictor
    previous = a;
    for (int j = 1; j < i; ++j) a[j] = previous[j] + reflection * previous[i - j];
    a[i] = reflection;
    error *= 1.0 - reflection * reflection;
  }
  for (int k = 0; k < order_; ++k) out[k] = static_cast<float>(-a[k + 1]);
}

std::vector<float> MelToLpc::coefficients(const std::vector<float>& mel) const {
  const std::size_t frames = mel.size() / static_cast<std::size_t>(audio_.n_mels);
  std::vector<float> out(frames * order_);
  for (std::size_t f = 0; f < frames; ++f) coefficients(mel.data() + f * audio_.n_mels, out.data() + f * order_);
  return out;
}

}  // namespace wn
