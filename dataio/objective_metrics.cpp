#include "dataio/objective_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/errors.h"
#include "dataio/audio_io.h"
#include "dataio/mel.h"
#include "dataio/resample.h"

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
  c.mel_cepstral_distortion_db = frames > 0 ? mcd / frames : 0.0;

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
  int finite_snr = 0;
  for (const auto& [name, ref_path] : refs) {
    const auto it = gens.find(name);
    if (it == gens.end()) {
      result.unmatched.push_back(ref_path.string());
      continue;
    }
    AudioComparison c = compare_audio(load(ref_path), load(it->second), a, max_lag);
    c.name = name;
    result.mean.log_mel_distance += c.log_mel_distance;
    result.mean.mel_cepstral_distortion_db += c.mel_cepstral_distortion_db;
    if (std::isfinite(c.snr_db)) {
      result.mean.snr_db += c.snr_db;
      ++finite_snr;
    }
    result.pairs.push_back(c);
  }
  for (const auto& [name, path] : gens) {
    if (!refs.count(name)) result.unmatched.push_back(path.string());
  }
  if (result.pairs.empty()) {
    throw UserError("no file of " + generated_dir.string() + " matches a file of " + reference_dir.string() +
                    " by name");
  }
  const double n = static_cast<double>(result.pairs.size());
  result.mean.name = "mean";
  result.mean.log_mel_distance /= n;
  result.mean.mel_cepstral_distortion_db /= n;
  result.mean.snr_db = finite_snr > 0 ? result.mean.snr_db / finite_snr : std::numeric_limits<double>::infinity();
  return result;
}

}  // namespace wn
