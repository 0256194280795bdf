#include "dataio/pitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace wn {

std::vector<double> track_f0(const std::vector<float>& audio, int sample_rate, const PitchSettings& s) {
  const int64_t n = static_cast<int64_t>(audio.size());
  const int min_lag = std::max(2, static_cast<int>(std::floor(sample_rate / s.max_hz)));
  const int max_lag = static_cast<int>(std::ceil(sample_rate / s.min_hz));
  const int window = max_lag;  // the integration window spans the longest period searched
  const int64_t frames = n == 0 ? 0 : (n - 1) / s.frame_period + 1;
  const double floor_power = std::pow(10.0, s.floor_db / 10.0);
  auto at = [&](int64_t t) { return t >= 0 && t < n ? static_cast<double>(audio[t]) : 0.0; };
  // Per-frame buffers, reused: the difference function and its normalised form.
  std::vector<double> f0(static_cast<std::size_t>(frames), 0.0), d(static_cast<std::size_t>(max_lag + 2)),
      normalised(d.size(), 1.0);
  for (int64_t f = 0; f < frames; ++f) {
    const int64_t start = f * s.frame_period - window / 2;
    double power = 0;
    for (int j = 0; j < window; ++j) power += at(start + j) * at(start + j);
    if (power / window < floor_power) continue;
    // d(tau) = sum_j (x[j] - x[j + tau])^2, then d'(tau) = d(tau) * tau / sum_{1..tau} d.
    for (int tau = 1; tau <= max_lag + 1; ++tau) {
      double sum = 0;
      for (int j = 0; j < window; ++j) {
        const double diff = at(start + j) - at(start + j + tau);
        sum += diff * diff;
      }
      d[tau] = sum;
    }
    double running = 0;
    for (int tau = 1; tau <= max_lag + 1; ++tau) {
      running += d[tau];
      normalised[tau] = running > 0 ? d[tau] * tau / running : 1.0;
    }
    // The period: the first dip that comes within `dip_tolerance` of the deepest one in range
    // (a shallower dip at half the period is a strong harmonic, not the fundamental; the equally
    // deep ones at two and three periods are its multiples); voiced when the deepest is below
    // the threshold.
    const double deepest = *std::min_element(normalised.begin() + min_lag, normalised.begin() + max_lag + 1);
    if (deepest >= s.threshold) continue;
    int best = min_lag;
    while (normalised[best] > deepest + s.dip_tolerance) ++best;
    while (best + 1 <= max_lag && normalised[best + 1] < normalised[best]) ++best;  // down to the dip's bottom
    // A parabola through the dip and its neighbours places the minimum between lags.
    const double a = normalised[best - 1], b = normalised[best], c = normalised[best + 1];
    const double curvature = a - 2 * b + c;
    const double offset = curvature > 0 ? 0.5 * (a - c) / curvature : 0.0;
    f0[f] = sample_rate / (best + std::clamp(offset, -1.0, 1.0));
  }
  return f0;
}

double fundamental_phase(const std::vector<float>& audio, int64_t centre, double f0_hz, int sample_rate) {
  const int64_t n = static_cast<int64_t>(audio.size());
  const int64_t half = std::max<int64_t>(1, std::llround(sample_rate / f0_hz));  // one period each side
  double re = 0, im = 0;
  for (int64_t k = -half; k <= half; ++k) {
    const int64_t t = centre + k;
    if (t < 0 || t >= n) continue;
    const double w = 0.5 + 0.5 * std::cos(M_PI * static_cast<double>(k) / static_cast<double>(half));
    const double angle = 2 * M_PI * f0_hz * static_cast<double>(k) / sample_rate;
    re += w * audio[t] * std::cos(angle);
    im -= w * audio[t] * std::sin(angle);
  }
  const double cycles = std::atan2(im, re) / (2 * M_PI);
  return cycles - std::floor(cycles);
}

F0Comparison compare_f0(const std::vector<double>& reference, const std::vector<double>& generated) {
  F0Comparison c;
  const std::size_t frames = std::min(reference.size(), generated.size());
  double squares = 0;
  int64_t mismatched = 0, gross = 0;
  for (std::size_t f = 0; f < frames; ++f) {
    const bool ref_voiced = reference[f] > 0, gen_voiced = generated[f] > 0;
    if (ref_voiced != gen_voiced) ++mismatched;
    if (ref_voiced && gen_voiced) {
      const double cents = 1200.0 * std::log2(generated[f] / reference[f]);
      squares += cents * cents;
      if (std::fabs(generated[f] / reference[f] - 1.0) > 0.2) ++gross;
      ++c.voiced_in_both;
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  c.rmse_cents = c.voiced_in_both > 0 ? std::sqrt(squares / c.voiced_in_both) : nan;
  c.gross_error = c.voiced_in_both > 0 ? static_cast<double>(gross) / c.voiced_in_both : nan;
  c.voicing_error = frames > 0 ? static_cast<double>(mismatched) / frames : 0.0;
  return c;
}

}  // namespace wn
