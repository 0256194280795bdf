#include "dataio/mel_cepstrum.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <cstdio>  // SPTK.h uses FILE without including stdio.h

extern "C" {
#include <SPTK.h>
}

namespace wn {

double all_pass_alpha(int sample_rate) {
  // The first-order all-pass maps frequency w to atan((1 - a^2) sin w / ((1 + a^2) cos w - 2a));
  // pick the a (in steps of 0.001) whose normalised warping is closest, in RMS over 1000 points
  // from 0 to Nyquist, to the normalised mel scale 1000 / ln 2 * ln(1 + f / 1000).
  constexpr int kPoints = 1000;
  std::vector<double> mel(kPoints), warped(kPoints);
  const double nyquist = sample_rate / 2.0;
  for (int i = 0; i < kPoints; ++i) mel[i] = std::log(1.0 + nyquist * i / kPoints / 1000.0);
  for (double& m : mel) m /= mel.back();
  double best_alpha = 0, best_distance = 1e300;
  for (int step = 0; step < 1000; ++step) {
    const double a = step * 0.001;
    for (int i = 0; i < kPoints; ++i) {
      const double w = M_PI * i / kPoints;
      double v = std::atan((1 - a * a) * std::sin(w) / ((1 + a * a) * std::cos(w) - 2 * a));
      warped[i] = v < 0 ? v + M_PI : v;
    }
    double distance = 0;
    for (int i = 0; i < kPoints; ++i) {
      const double d = warped[i] / warped.back() - mel[i];
      distance += d * d;
    }
    if (distance < best_distance) {
      best_distance = distance;
      best_alpha = a;
    }
  }
  return best_alpha;
}

MelCepstrumSettings mel_cepstrum_settings(int sample_rate) {
  MelCepstrumSettings s;
  s.alpha = all_pass_alpha(sample_rate);
  int length = 256;
  while (length < 0.046 * sample_rate) length *= 2;  // 1024 at 22.05 kHz, 2048 at 44.1 kHz
  s.frame_length = length;
  s.frame_period = length / 4;
  return s;
}

std::vector<double> mel_cepstra(const std::vector<float>& audio, const MelCepstrumSettings& s) {
  const int64_t n = static_cast<int64_t>(audio.size()), L = s.frame_length, P = s.frame_period;
  const int64_t frames = n == 0 ? 0 : (n - 1) / P + 1;  // centres 0, P, 2P, ... up to the last sample
  std::vector<double> out(static_cast<std::size_t>(frames * (s.order + 1)));
  std::vector<double> frame(static_cast<std::size_t>(L));
  for (int64_t f = 0; f < frames; ++f) {
    const int64_t start = f * P - L / 2;
    for (int64_t i = 0; i < L; ++i) {
      const int64_t t = start + i;
      frame[i] = t >= 0 && t < n ? audio[t] : 0.0;
    }
    window(BLACKMAN, frame.data(), static_cast<int>(L), /*nflg=*/1);
    // SPTK's command-line defaults: 2..30 iterations, end condition 0.001, a periodogram floor of
    // 1e-8 added (silent frames), minimum determinant 1e-6, input a windowed frame.
    mcep(frame.data(), static_cast<int>(L), out.data() + f * (s.order + 1), s.order, s.alpha, 2, 30, 0.001, 1, 1e-8,
         0.000001, 0);
  }
  return out;
}

double mel_cepstral_distortion_db(const std::vector<double>& reference, const std::vector<double>& generated, int order,
                                  const std::vector<bool>& mask) {
  const std::size_t width = static_cast<std::size_t>(order + 1);
  const std::size_t frames = std::min(reference.size(), generated.size()) / width;
  double total = 0;
  std::size_t used = 0;
  for (std::size_t f = 0; f < frames; ++f) {
    if (!mask.empty() && (f >= mask.size() || !mask[f])) continue;
    double sq = 0;
    for (std::size_t d = 1; d < width; ++d) {
      const double diff = reference[f * width + d] - generated[f * width + d];
      sq += diff * diff;
    }
    total += 10.0 / std::log(10.0) * std::sqrt(2.0 * sq);
    ++used;
  }
  return used > 0 ? total / used : 0.0;
}

}  // namespace wn
