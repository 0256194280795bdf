// The mel-recipe mismatch warning: silent for the model's own recipe on other audio, and
// naming the cause for the same audio in natural log, decibels, standardised, or with an
// unexplained offset.

#include "dataio/mel_mismatch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dataio/mel.h"
#include "dataio/mel_recipe.h"

namespace wn {
namespace {

// Speech-like test audio: a few harmonics of a wandering pitch over noise.
std::vector<float> clip(uint64_t seed, double seconds = 1.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::uniform_real_distribution<double> pitch(110.0, 220.0);
  const double f0 = pitch(rng);
  std::vector<float> x(static_cast<std::size_t>(seconds * 22050));
  for (std::size_t t = 0; t < x.size(); ++t) {
    double v = noise(rng);
    for (int h = 1; h <= 8; ++h) v += 0.2 / h * std::sin(2 * M_PI * f0 * h * (1 + 0.05 * std::sin(3.0 * t / 22050)) * t / 22050);
    x[t] = static_cast<float>(v);
  }
  return x;
}

struct Stats {
  std::vector<double> mean, std;
};

Stats training_stats(const AudioConfig& audio) {
  const MelSpectrogram mel(audio);
  std::vector<double> sum(80, 0.0), squares(80, 0.0);
  double count = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const std::vector<float> m = mel.compressed(clip(seed));
    for (std::size_t i = 0; i < m.size(); ++i) {
      sum[i % 80] += m[i];
      squares[i % 80] += double(m[i]) * m[i];
    }
    count += static_cast<double>(m.size() / 80);
  }
  Stats s;
  for (int b = 0; b < 80; ++b) {
    s.mean.push_back(sum[b] / count);
    s.std.push_back(std::sqrt(std::max(1e-12, squares[b] / count - s.mean.back() * s.mean.back())));
  }
  return s;
}

TEST(MelMismatch, SilentForTheRecipeAndNamesOtherRecipes) {
  AudioConfig log10_recipe;  // the defaults: log10 of magnitude, floor 1e-5
  const Stats stats = training_stats(log10_recipe);
  const std::vector<float> audio = clip(99);

  EXPECT_EQ(mel_mismatch_warning(MelSpectrogram(log10_recipe).compressed(audio), stats.mean, stats.std, log10_recipe), "");

  AudioConfig ln = log10_recipe;
  ln.compression = "ln";
  const std::string natural = mel_mismatch_warning(MelSpectrogram(ln).compressed(audio), stats.mean, stats.std, log10_recipe);
  EXPECT_NE(natural.find("natural-log"), std::string::npos) << natural;
  EXPECT_NE(natural.find("multiply them by 0.434294"), std::string::npos) << natural;

  // Tacotron 2's mels of the same audio (natural log, 0-8000 Hz): its conversion is named.
  const std::string tacotron = mel_mismatch_warning(MelSpectrogram(named_mel_recipe("tacotron2").audio).compressed(audio), stats.mean,
                                                    stats.std, log10_recipe);
  EXPECT_NE(tacotron.find("mels look like natural-log values; the model was trained on log10 mels: use --mel-recipe tacotron2 or "
                          "convert-mels --from tacotron2 if they are Tacotron 2's"),
            std::string::npos)
      << tacotron;

  AudioConfig db = log10_recipe;
  db.compression = "db";
  const std::string decibel = mel_mismatch_warning(MelSpectrogram(db).compressed(audio), stats.mean, stats.std, log10_recipe);
  EXPECT_NE(decibel.find("decibel (amplitude)"), std::string::npos) << decibel;

  // A model trained on ln mels given log10 ones: the other way round.
  const Stats ln_stats = training_stats(ln);
  const std::string base10 = mel_mismatch_warning(MelSpectrogram(log10_recipe).compressed(audio), ln_stats.mean, ln_stats.std, ln);
  EXPECT_NE(base10.find("log10 values; the model was trained on ln mels"), std::string::npos) << base10;

  // Standardised per band with the clip's own statistics, as a front end's normaliser would.
  std::vector<float> standardised = MelSpectrogram(log10_recipe).compressed(audio);
  const std::size_t frames = standardised.size() / 80;
  std::vector<double> m(80, 0.0), v(80, 0.0);
  for (std::size_t i = 0; i < standardised.size(); ++i) m[i % 80] += standardised[i] / static_cast<double>(frames);
  for (std::size_t i = 0; i < standardised.size(); ++i) v[i % 80] += std::pow(standardised[i] - m[i % 80], 2) / static_cast<double>(frames);
  for (std::size_t i = 0; i < standardised.size(); ++i) {
    standardised[i] = static_cast<float>((standardised[i] - m[i % 80]) / std::sqrt(std::max(v[i % 80], 1e-12)));
  }
  const std::string normalised = mel_mismatch_warning(standardised, stats.mean, stats.std, log10_recipe);
  EXPECT_NE(normalised.find("standardised"), std::string::npos) << normalised;

  std::vector<float> offset = MelSpectrogram(log10_recipe).compressed(audio);
  for (float& x : offset) x += 4.0f;
  const std::string other = mel_mismatch_warning(offset, stats.mean, stats.std, log10_recipe);
  EXPECT_NE(other.find("another recipe"), std::string::npos) << other;
}

}  // namespace
}  // namespace wn
