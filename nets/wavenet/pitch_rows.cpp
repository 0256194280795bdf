#include "nets/wavenet/pitch_rows.h"

#include <algorithm>
#include <cmath>

namespace wn {

float PitchHeadArrays::f0(const float* rows) const {
  std::vector<float> x(rows, rows + static_cast<std::size_t>(kernel) * n_mels);
  for (int k = 0; k < kernel; ++k) {
    float* row = x.data() + static_cast<std::size_t>(k) * n_mels;
    double mean = 0, power = 0;
    for (int i = 0; i < n_mels; ++i) mean += row[i];
    mean /= n_mels;
    for (int i = 0; i < n_mels; ++i) power += (row[i] - mean) * (row[i] - mean);
    const double spread = std::sqrt(power / n_mels + kPitchRowEpsilon);
    for (int i = 0; i < n_mels; ++i) row[i] = static_cast<float>((row[i] - mean) / spread);
  }
  std::vector<float> h1(static_cast<std::size_t>(hidden)), h2(static_cast<std::size_t>(hidden));
  for (int o = 0; o < hidden; ++o) {
    float sum = b1[o];
    for (int i = 0; i < n_mels; ++i) {
      const float* w = w1.data() + (static_cast<std::size_t>(o) * n_mels + i) * kernel;
      for (int k = 0; k < kernel; ++k) sum += w[k] * x[k * n_mels + i];
    }
    h1[o] = std::max(0.0f, sum);
  }
  for (int o = 0; o < hidden; ++o) {
    float sum = b2[o];
    for (int i = 0; i < hidden; ++i) sum += w2[static_cast<std::size_t>(o) * hidden + i] * h1[i];
    h2[o] = std::max(0.0f, sum);
  }
  float out[2];
  for (int o = 0; o < 2; ++o) {
    float sum = b3[o];
    for (int i = 0; i < hidden; ++i) sum += w3[static_cast<std::size_t>(o) * hidden + i] * h2[i];
    out[o] = sum;
  }
  return f0_from_pitch_outputs(out[0], out[1]);
}

PitchRows::PitchRows(const PitchConditioning& pitch, int batch)
    : pitch_(pitch), window_(batch), f0_(batch), sources_(batch) {
  for (auto& s : sources_) s = HarmonicSource(pitch.harmonics, pitch.hop, pitch.sample_rate);
}

void PitchRows::add(int b, const float* mel_rows, int64_t count) {
  if (!pitch_.active()) return;
  const PitchHeadArrays& head = *pitch_.head;
  const std::size_t row = static_cast<std::size_t>(head.n_mels), span = row * head.kernel;
  std::vector<float>& window = window_[b];
  window.insert(window.end(), mel_rows, mel_rows + count * head.n_mels);
  std::vector<float> made;
  std::size_t used = 0;
  for (; window.size() - used >= span; used += row) made.push_back(head.f0(window.data() + used));
  window.erase(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(used));
  f0_[b].insert(f0_[b].end(), made.begin(), made.end());
  sources_[b].add_frames(made.data(), static_cast<int64_t>(made.size()));
}

}  // namespace wn
