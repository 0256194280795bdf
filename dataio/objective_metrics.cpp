#include "dataio/objective_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/errors.h"
#include "dataio/audio_io.h"
#include "dataio/mel.h"
#include "dataio/mel_cepstrum.h"
#include "dataio/pitch.h"
#include "dataio/resample.h"
#include "dataio/stft.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

// Orthonormal DCT-II of one frame's natural-log mel amplitude, coefficients [0, count).
std::vector<double> cepstrum(const float* mel, int n_mels, int count, const AudioConfig& a) {
  std::vector<double> log_power(static_cast<std::size_t>(n_mels));
  for (int m = 0; m < n_mels; ++m) {
    const double v = std::max(static_cast<double>(mel[m]), a.log_floor);
    log_power[m] = a.power == 2 ? 0.5 * std::log(v) : std::log(v);  // amplitude, whatever the recipe stores
  }
  std::vector<double> c(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) {
    double sum = 0;
    for (int m = 0; m < n_mels; ++m) sum += log_power[m] * std::cos(M_PI * k * (m + 0.5) / n_mels);
    c[k] = sum * std::sqrt((k == 0 ? 1.0 : 2.0) / n_mels);
  }
  return c;
}

// Lag maximising the cross-correlation of generated against reference.
int64_t best_lag(const std::vector<float>& ref, const std::vector<float>& gen, int64_t max_lag) {
  int64_t best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  const auto n = static_cast<int64_t>(std::min(ref.size(), gen.size()));
  for (int64_t lag = -max_lag; lag <= max_lag; ++lag) {
    double score = 0;
    for (int64_t t = std::max<int64_t>(0, -lag); t < n && t + lag < static_cast<int64_t>(gen.size()); ++t) {
      score += static_cast<double>(ref[t]) * gen[t + lag];
    }
    if (score > best_score) {
      best_score = score;
      best = lag;
    }
  }
  return best;
}

// Per frame, the RMS over frequency of 10 log10 of the power spectra's ratio; mean over frames.
double log_spectral_distance_db(const std::vector<float>& ref, const std::vector<float>& gen, const AudioConfig& a) {
  const Stft stft(a.n_fft, a.win_length, a.hop_length);
  const auto n = static_cast<int64_t>(std::min(ref.size(), gen.size()));
  if (n <= a.n_fft / 2) return 0.0;
  const std::vector<float> r(ref.begin(), ref.begin() + n), g(gen.begin(), gen.begin() + n);
  const std::vector<double> pr = stft.spectrogram(r, 2), pg = stft.spectrogram(g, 2);
  const int bins = stft.bins();
  const int64_t frames = static_cast<int64_t>(pr.size()) / bins;
  constexpr double kFloor = 1e-10;  // about -100 dB: silent bins compare as equal, not infinite
  double total = 0;
  for (int64_t f = 0; f < frames; ++f) {
    double sq = 0;
    for (int k = 0; k < bins; ++k) {
      const double d = 10.0 * std::log10((pr[f * bins + k] + kFloor) / (pg[f * bins + k] + kFloor));
      sq += d * d;
    }
    total += std::sqrt(sq / bins);
  }
  return frames > 0 ? total / frames : 0.0;
}

// The generated audio's RMS level (dB re full scale) over the blocks of `block` samples where the
// reference is 40 dB or more below its loudest block; NaN when there are none.
double silence_floor_db(const std::vector<float>& ref, const std::vector<float>& gen, int block) {
  const auto n = static_cast<int64_t>(std::min(ref.size(), gen.size()));
  std::vector<double> ref_power;
  for (int64_t b = 0; b + block <= n; b += block) {
    double p = 0;
    for (int64_t t = b; t < b + block; ++t) p += static_cast<double>(ref[t]) * ref[t];
    ref_power.push_back(p / block);
  }
  if (ref_power.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double loudest = *std::max_element(ref_power.begin(), ref_power.end());
  double gen_power = 0;
  int64_t silent = 0;
  for (std::size_t i = 0; i < ref_power.size(); ++i) {
    if (ref_power[i] > loudest * 1e-4) continue;  // within 40 dB of the loudest block
    for (int64_t t = static_cast<int64_t>(i) * block; t < static_cast<int64_t>(i + 1) * block; ++t) {
      gen_power += static_cast<double>(gen[t]) * gen[t];
    }
    ++silent;
  }
  if (silent == 0) return std::numeric_limits<double>::quiet_NaN();
  gen_power /= static_cast<double>(silent * block);
  return 10.0 * std::log10(std::max(gen_power, 1e-20));
}

}  // namespace

AudioComparison compare_audio(const std::vector<float>& reference, const std::vector<float>& generated,
                              const AudioConfig& a, int64_t max_lag) {
  AudioComparison c;
  const MelSpectrogram mel(a);
  const std::vector<float> ref_mel = mel.linear(reference), gen_mel = mel.linear(generated);
  const int64_t frames = static_cast<int64_t>(std::min(ref_mel.size(), gen_mel.size())) / a.n_mels;
  const int coefficients = std::min(25, a.n_mels);
  double l1 = 0, mcd = 0;
  auto compress = [&](double v) {
    v = std::max(v, a.log_floor);
    return a.compression == "ln" ? std::log(v) : a.compression == "db" ? (a.power == 2 ? 10 : 20) * std::log10(v) : std::log10(v);
  };
  for (int64_t f = 0; f < frames; ++f) {
    const float* r = ref_mel.data() + f * a.n_mels;
    const float* g = gen_mel.data() + f * a.n_mels;
    for (int m = 0; m < a.n_mels; ++m) l1 += std::fabs(compress(r[m]) - compress(g[m]));
    const auto cr = cepstrum(r, a.n_mels, coefficients, a), cg = cepstrum(g, a.n_mels, coefficients, a);
    double sq = 0;
    for (int k = 1; k < coefficients; ++k) sq += (cr[k] - cg[k]) * (cr[k] - cg[k]);  // c0 (energy) excluded
    mcd += 10.0 / std::log(10.0) * std::sqrt(2.0 * sq);
  }
  c.log_mel_distance = frames > 0 ? l1 / (frames * a.n_mels) : 0.0;
  c.log_mel_cepstral_distance_db = frames > 0 ? mcd / frames : 0.0;

  const MelCepstrumSettings cepstrum_settings = mel_cepstrum_settings(a.sample_rate);
  c.mcd_db = mel_cepstral_distortion_db(mel_cepstra(reference, cepstrum_settings), mel_cepstra(generated, cepstrum_settings),
                                        cepstrum_settings.order);
  c.log_spectral_distance_db = log_spectral_distance_db(reference, generated, a);
  PitchSettings pitch;
  pitch.frame_period = a.hop_length;
  const F0Comparison f0 = compare_f0(track_f0(reference, a.sample_rate, pitch), track_f0(generated, a.sample_rate, pitch));
  c.f0_rmse_cents = f0.rmse_cents;
  c.f0_gross_error = f0.gross_error;
  c.voicing_error = f0.voicing_error;
  c.silence_floor_db = silence_floor_db(reference, generated, a.hop_length);

  c.lag = best_lag(reference, generated, max_lag);
  double signal = 0, noise = 0;
  for (int64_t t = 0; t < static_cast<int64_t>(reference.size()); ++t) {
    const int64_t u = t + c.lag;
    if (u < 0 || u >= static_cast<int64_t>(generated.size())) continue;
    signal += static_cast<double>(reference[t]) * reference[t];
    const double d = static_cast<double>(reference[t]) - generated[u];
    noise += d * d;
  }
  c.snr_db = noise > 0 ? 10.0 * std::log10(signal / noise) : std::numeric_limits<double>::infinity();
  return c;
}

AudioComparison mean_of(const std::vector<AudioComparison>& pairs) {
  AudioComparison m;
  m.name = "mean";
  // The mean of a figure over the pairs where it is finite; `none` when it is nowhere.
  auto mean = [&](double AudioComparison::*field, double none) {
    double sum = 0;
    int count = 0;
    for (const AudioComparison& c : pairs) {
      if (std::isfinite(c.*field)) {
        sum += c.*field;
        ++count;
      }
    }
    return count > 0 ? sum / count : none;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.log_mel_distance = mean(&AudioComparison::log_mel_distance, 0.0);
  m.mcd_db = mean(&AudioComparison::mcd_db, 0.0);
  m.log_mel_cepstral_distance_db = mean(&AudioComparison::log_mel_cepstral_distance_db, 0.0);
  m.log_spectral_distance_db = mean(&AudioComparison::log_spectral_distance_db, 0.0);
  m.f0_rmse_cents = mean(&AudioComparison::f0_rmse_cents, nan);
  m.f0_gross_error = mean(&AudioComparison::f0_gross_error, nan);
  m.voicing_error = mean(&AudioComparison::voicing_error, 0.0);
  m.silence_floor_db = mean(&AudioComparison::silence_floor_db, nan);
  m.snr_db = mean(&AudioComparison::snr_db, std::numeric_limits<double>::infinity());
  return m;
}

DirectoryComparison compare_directories(const fs::path& reference_dir, const fs::path& generated_dir,
                                        const AudioConfig& a, int64_t max_lag) {
  auto index = [&](const fs::path& dir) {
    if (!fs::is_directory(dir)) throw UserError(dir.string() + ": directory not found");
    std::map<std::string, fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file() && has_audio_extension(e.path())) files[e.path().stem().string()] = e.path();
    }
    return files;
  };
  const auto refs = index(reference_dir), gens = index(generated_dir);
  auto load = [&](const fs::path& p) {
    MonoAudio audio = read_audio_mono(p);
    return resample(audio.samples, audio.sample_rate, a.sample_rate);
  };
  DirectoryComparison result;
  for (const auto& [name, ref_path] : refs) {
    const auto it = gens.find(name);
    if (it == gens.end()) {
      result.unmatched.push_back(ref_path.string());
      continue;
    }
    AudioComparison c = compare_audio(load(ref_path), load(it->second), a, max_lag);
    c.name = name;
    result.pairs.push_back(c);
  }
  for (const auto& [name, path] : gens) {
    if (!refs.count(name)) result.unmatched.push_back(path.string());
  }
  if (result.pairs.empty()) {
    throw UserError("no file of " + generated_dir.string() + " matches a file of " + reference_dir.string() +
                    " by name");
  }
  result.mean = mean_of(result.pairs);
  return result;
}

}  // namespace wn
