#include "nets/wavenet/harmonic_source.h"

#include <algorithm>
#include <cmath>

namespace wn {

HarmonicSource::HarmonicSource(int harmonics, int hop, int sample_rate)
    : harmonics_(harmonics), hop_(hop), cycles_per_hz_(1.0 / sample_rate) {}

void HarmonicSource::add_frames(const float* f0_hz, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    double start = 0.0;
    if (!f0_.empty()) {
      const double advanced = start_.back() + step_.back() * hop_;
      start = advanced - std::floor(advanced);  // the fraction keeps the phase exact however long the utterance
    }
    f0_.push_back(std::max(0.0f, f0_hz[i]));
    start_.push_back(start);
    step_.push_back(f0_.back() * cycles_per_hz_);
  }
}

void HarmonicSource::lock_phases(const float* phase) {
  const int64_t n = frames();
  for (int64_t f = 0; f < n; ++f) {
    if (f0_[f] > 0.0f) start_[f] = phase[f] - std::floor(phase[f]);  // unvoiced frames' phases are never read
  }
  for (int64_t f = 0; f < n; ++f) {
    if (f0_[f] <= 0.0f) continue;
    if (f + 1 < n && f0_[f + 1] > 0.0f) {
      const double expected = 0.5 * (f0_[f] + f0_[f + 1]) * cycles_per_hz_ * hop_;
      const double gap = start_[f + 1] - start_[f];
      step_[f] = (gap + std::round(expected - gap)) / hop_;
    }
  }
}

void HarmonicSource::at(int64_t t, float* out) const {
  const int n = channels();
  const int64_t f = t / hop_;
  if (f >= frames() || f0_[f] <= 0.0f) {
    std::fill(out, out + n, 0.0f);
    return;
  }
  const double phase = start_[f] + step_[f] * static_cast<double>(t - f * hop_);
  out[0] = 1.0f;
  for (int h = 1; h <= harmonics_; ++h) {
    const double angle = 2.0 * M_PI * h * phase;
    out[2 * h - 1] = static_cast<float>(std::sin(angle));
    out[2 * h] = static_cast<float>(std::cos(angle));
  }
}

std::vector<float> harmonic_source_track(int harmonics, int hop, int sample_rate, const float* f0_hz, int64_t frames,
                                         const float* phase) {
  HarmonicSource source(harmonics, hop, sample_rate);
  source.add_frames(f0_hz, frames);
  if (phase) source.lock_phases(phase);
  const int n = source.channels();
  const int64_t samples = frames * hop;
  std::vector<float> track(static_cast<std::size_t>(n * samples)), one(static_cast<std::size_t>(n));
  for (int64_t t = 0; t < samples; ++t) {
    source.at(t, one.data());
    for (int c = 0; c < n; ++c) track[c * samples + t] = one[c];
  }
  return track;
}

}  // namespace wn
