#include "dataio/audio_cleaning.h"

#include <algorithm>
#include <cmath>

namespace wn {

std::vector<float> trim_silence(const std::vector<float>& audio, double top_db, int frame_length,
                                int hop_length) {
  const auto n = static_cast<int64_t>(audio.size());
  if (n == 0 || top_db <= 0) return audio;
  // Frames centred on k * hop, like librosa's centred RMS.
  const int64_t frames = 1 + n / hop_length;
  std::vector<double> power(static_cast<std::size_t>(frames));
  double loudest = 0.0;
  for (int64_t f = 0; f < frames; ++f) {
    const int64_t begin = std::max<int64_t>(0, f * hop_length - frame_length / 2);
    const int64_t end = std::min<int64_t>(n, f * hop_length + frame_length / 2);
    double sum = 0.0;
    for (int64_t i = begin; i < end; ++i) sum += static_cast<double>(audio[i]) * audio[i];
    power[f] = sum / frame_length;
    loudest = std::max(loudest, power[f]);
  }
  if (loudest <= 0.0) return audio;
  const double threshold = loudest * std::pow(10.0, -top_db / 10.0);
  int64_t first = -1, last = -1;
  for (int64_t f = 0; f < frames; ++f) {
    if (power[f] > threshold) {
      if (first < 0) first = f;
      last = f;
    }
  }
  const int64_t start = first * hop_length;
  const int64_t stop = std::min(n, (last + 1) * hop_length);
  return std::vector<float>(audio.begin() + start, audio.begin() + stop);
}

void highpass_zero_phase(std::vector<float>& audio, double cutoff_hz, int sample_rate) {
  // RBJ cookbook biquad, Q = 1/sqrt(2) (Butterworth).
  const double w0 = 2.0 * M_PI * cutoff_hz / sample_rate;
  const double alpha = std::sin(w0) / (2.0 * M_SQRT1_2);
  const double cosw = std::cos(w0);
  const double a0 = 1.0 + alpha;
  const double b0 = (1.0 + cosw) / 2.0 / a0, b1 = -(1.0 + cosw) / a0, b2 = b0;
  const double a1 = -2.0 * cosw / a0, a2 = (1.0 - alpha) / a0;
  auto run = [&](auto begin, auto end) {
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (auto it = begin; it != end; ++it) {
      const double x = *it;
      const double y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      *it = static_cast<float>(y);
    }
  };
  run(audio.begin(), audio.end());
  run(audio.rbegin(), audio.rend());
}

void normalize_peak(std::vector<float>& audio, double peak) {
  float largest = 0.0f;
  for (float x : audio) largest = std::max(largest, std::fabs(x));
  if (largest <= 0.0f) return;
  const auto scale = static_cast<float>(peak / largest);
  for (float& x : audio) x *= scale;
}

void apply_gain_db(std::vector<float>& audio, double gain_db) {
  const auto scale = static_cast<float>(std::pow(10.0, gain_db / 20.0));
  for (float& x : audio) x *= scale;
}

void apply_preemphasis(std::vector<float>& audio, double coefficient) {
  const auto c = static_cast<float>(coefficient);
  for (std::size_t i = audio.size(); i-- > 1;) audio[i] -= c * audio[i - 1];
}

std::vector<float> clean_audio_before_emphasis(std::vector<float> audio, const AudioConfig& config) {
  if (config.highpass_hz > 0) highpass_zero_phase(audio, config.highpass_hz, config.sample_rate);
  if (config.trim_top_db > 0) {
    audio = trim_silence(audio, config.trim_top_db, config.n_fft, config.hop_length);
  }
  if (config.peak_normalize > 0) normalize_peak(audio, config.peak_normalize);
  return audio;
}

void apply_emphasis(std::vector<float>& audio, const AudioConfig& config) {
  if (config.gain_db != 0) apply_gain_db(audio, config.gain_db);
  if (config.preemphasis > 0) apply_preemphasis(audio, config.preemphasis);
}

std::vector<float> clean_audio(std::vector<float> audio, const AudioConfig& config) {
  audio = clean_audio_before_emphasis(std::move(audio), config);
  apply_emphasis(audio, config);
  return audio;
}

EmphasisUndo::EmphasisUndo(const AudioConfig& config)
    : coefficient_(static_cast<float>(config.preemphasis)),
      scale_(config.mel_before_emphasis ? static_cast<float>(std::pow(10.0, -config.gain_db / 20.0)) : 1.0f) {}

void EmphasisUndo::apply(std::vector<float>& chunk) {
  for (float& x : chunk) {
    previous_ = x + coefficient_ * previous_;
    x = previous_ * scale_;
  }
}

}  // namespace wn
