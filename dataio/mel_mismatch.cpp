#include "dataio/mel_mismatch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace wn {
namespace {

// A log-mel's value in log10 units per unit of each compression (dB: of a power or amplitude mel).
double log10_per_unit(const std::string& compression, int power) {
  if (compression == "ln") return 1.0 / std::log(10.0);
  if (compression == "db") return power == 2 ? 0.1 : 0.05;
  return 1.0;
}

struct Hypothesis {
  const char* description;
  double scale;  // incoming value * scale = the recipe's value (for the log hypotheses)
};

// Mean over bands of |band mean - training mean| / training std.
double distance(const std::vector<double>& band_means, const std::vector<double>& mean, const std::vector<double>& std, double scale) {
  double sum = 0;
  for (std::size_t b = 0; b < band_means.size(); ++b) sum += std::fabs(band_means[b] * scale - mean[b]) / std::max(std[b], 1e-5);
  return sum / static_cast<double>(band_means.size());
}

}  // namespace

std::string mel_mismatch_warning(const std::vector<float>& mel, const std::vector<double>& mean, const std::vector<double>& std,
                                 const AudioConfig& recipe, double tolerance) {
  const std::size_t n_mels = mean.size();
  if (n_mels == 0 || std.size() != n_mels || mel.size() < n_mels || mel.size() % n_mels != 0) return "";
  const std::size_t frames = mel.size() / n_mels;
  std::vector<double> band_means(n_mels, 0.0), band_spread(n_mels, 0.0);
  for (std::size_t f = 0; f < frames; ++f) {
    for (std::size_t b = 0; b < n_mels; ++b) band_means[b] += mel[f * n_mels + b] / static_cast<double>(frames);
  }
  for (std::size_t f = 0; f < frames; ++f) {
    for (std::size_t b = 0; b < n_mels; ++b) {
      const double d = mel[f * n_mels + b] - band_means[b];
      band_spread[b] += d * d / static_cast<double>(frames);
    }
  }
  const double fit = distance(band_means, mean, std, 1.0);
  if (fit <= tolerance) return "";

  char line[512];
  // Already standardised: every band near mean 0 and spread 1, while the training mels are not.
  double mean_abs = 0, spread = 0;
  for (std::size_t b = 0; b < n_mels; ++b) {
    mean_abs += std::fabs(band_means[b]) / static_cast<double>(n_mels);
    spread += std::sqrt(band_spread[b]) / static_cast<double>(n_mels);
  }
  if (frames > 1 && mean_abs < 0.3 && std::fabs(spread - 1.0) < 0.35) {
    std::snprintf(line, sizeof line,
                  "mels look standardised (mean 0, spread 1 per band) but the model takes the recipe's %s mels "
                  "(it standardises them itself): give unstandardised mels",
                  recipe.compression.c_str());
    return line;
  }
  // Another log base: natural log, dB of power, dB of amplitude, log10.
  const double model_unit = log10_per_unit(recipe.compression, recipe.power);
  const Hypothesis hypotheses[] = {{"natural-log", (1.0 / std::log(10.0)) / model_unit},
                                   {"decibel (power)", 0.1 / model_unit},
                                   {"decibel (amplitude)", 0.05 / model_unit},
                                   {"log10", 1.0 / model_unit}};
  const Hypothesis* best = nullptr;
  double best_fit = fit;
  for (const Hypothesis& h : hypotheses) {
    if (std::fabs(h.scale - 1.0) < 1e-9) continue;  // the model's own unit: already measured
    const double d = distance(band_means, mean, std, h.scale);
    if (d < best_fit) {
      best_fit = d;
      best = &h;
    }
  }
  if (best && best_fit <= tolerance) {
    // Tacotron 2's recipe is the natural-log one our users meet; its band differs too, so the
    // conversion is the better cure than a factor.
    const bool natural = std::string(best->description) == "natural-log";
    std::snprintf(line, sizeof line, "mels look like %s values; the model was trained on %s mels: %s%.6g to convert",
                  best->description, recipe.compression.c_str(),
                  natural ? "use --mel-recipe tacotron2 or convert-mels --from tacotron2 if they are Tacotron 2's, else multiply them by "
                          : "multiply them by ",
                  best->scale);
    return line;
  }
  std::snprintf(line, sizeof line,
                "mels do not look like the model's training mels (band means %.1f training deviations away on average): "
                "made with another recipe (log base, floor, normalisation, fmin/fmax, filterbank)? --mel-recipe converts "
                "r9y9, tacotron2 and espnet mels",
                fit);
  return line;
}

}  // namespace wn
