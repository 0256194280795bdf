// Objective metrics on signals whose answers are known, and Griffin-Lim's convergence.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/errors.h"
#include "dataio/griffin_lim.h"
#include "dataio/mel.h"
#include "dataio/objective_metrics.h"
#include "dataio/stft.h"
#include "tests/dataio/audio_fixtures.h"

namespace wn {
namespace {

// A rich test signal: two tones, a chirp and a little noise, 0.5 s at 22.05 kHz.
std::vector<float> speechlike(uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  std::vector<float> x(11025);
  for (std::size_t t = 0; t < x.size(); ++t) {
    const double s = t / 22050.0;
    x[t] = static_cast<float>(0.3 * std::sin(2 * M_PI * 220 * s) + 0.2 * std::sin(2 * M_PI * 1330 * s) +
                              0.1 * std::sin(2 * M_PI * (300 + 2000 * s) * s)) + noise(rng);
  }
  return x;
}

TEST(ObjectiveMetrics, IdenticalSignalsHaveZeroDistance) {
  const AudioConfig a;
  const auto x = speechlike();
  const AudioComparison c = compare_audio(x, x, a, 256);
  EXPECT_EQ(c.log_mel_distance, 0.0);
  EXPECT_EQ(c.mcd_db, 0.0);
  EXPECT_EQ(c.log_mel_cepstral_distance_db, 0.0);
  EXPECT_EQ(c.log_spectral_distance_db, 0.0);
  EXPECT_EQ(c.f0_rmse_cents, 0.0);
  EXPECT_EQ(c.f0_gross_error, 0.0);
  EXPECT_EQ(c.voicing_error, 0.0);
  EXPECT_TRUE(std::isnan(c.silence_floor_db)) << "no silent stretch in the reference";
  EXPECT_TRUE(std::isinf(c.snr_db));
  EXPECT_EQ(c.lag, 0);
}

TEST(ObjectiveMetrics, KnownGainGivesKnownValues) {
  AudioConfig a;
  a.log_floor = 1e-12;  // keep every bin above the floor so the gain shows everywhere
  const auto x = speechlike();
  std::vector<float> half(x);
  for (float& v : half) v *= 0.5f;
  const AudioComparison c = compare_audio(x, half, a, 256);
  EXPECT_NEAR(c.log_mel_distance, std::log10(2.0), 1e-5);    // every log10 mel bin moves by log10 2
  EXPECT_NEAR(c.snr_db, 20.0 * std::log10(2.0), 1e-3);        // residual is half the signal: 6.02 dB
  // A gain only moves c0, which both cepstral distances leave out.
  EXPECT_NEAR(c.log_mel_cepstral_distance_db, 0.0, 1e-3);
  EXPECT_NEAR(c.mcd_db, 0.0, 0.05);
  EXPECT_NEAR(c.log_spectral_distance_db, 20.0 * std::log10(2.0), 0.05);  // every power bin moves by 6.02 dB
  EXPECT_NEAR(c.f0_rmse_cents, 0.0, 1e-6) << "a gain does not move the pitch";
}

TEST(ObjectiveMetrics, NoiseLowersSnrAsExpectedAndDelayIsFound) {
  const AudioConfig a;
  const auto x = speechlike();
  std::mt19937 rng(4);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  double signal = 0;
  for (float v : x) signal += double(v) * v;
  const double target_db = 20.0;
  const double sigma = std::sqrt(signal / x.size() / std::pow(10.0, target_db / 10.0));
  std::vector<float> noisy(x.size() + 37, 0.0f);  // delayed by 37 samples
  for (std::size_t t = 0; t < x.size(); ++t) noisy[t + 37] = x[t] + static_cast<float>(sigma * noise(rng));
  const AudioComparison c = compare_audio(x, noisy, a, 256);
  EXPECT_EQ(c.lag, 37);
  EXPECT_NEAR(c.snr_db, target_db, 0.3);
  EXPECT_GT(c.log_mel_cepstral_distance_db, 0.1);
  EXPECT_GT(c.mcd_db, 0.1);
}

// The hiss users complain about: noise of a known level where the reference is silent.
TEST(ObjectiveMetrics, SilenceFloorIsTheLevelOfNoiseInTheReferencesSilence) {
  const AudioConfig a;
  std::vector<float> reference = speechlike();
  reference.resize(reference.size() * 2, 0.0f);  // then as long again of digital silence
  std::mt19937 rng(8);
  std::normal_distribution<float> noise(0.0f, 0.01f);  // RMS 0.01: -40 dB re full scale
  std::vector<float> hissing(reference);
  for (float& v : hissing) v += noise(rng);
  EXPECT_NEAR(compare_audio(reference, hissing, a, 0).silence_floor_db, -40.0, 0.3);
  EXPECT_LT(compare_audio(reference, reference, a, 0).silence_floor_db, -150.0) << "silence stays silent";
}

TEST(ObjectiveMetrics, MeanSkipsUndefinedFigures) {
  AudioComparison voiced, unvoiced;
  voiced.f0_rmse_cents = 30;
  voiced.silence_floor_db = -50;
  unvoiced.f0_rmse_cents = std::nan("");
  unvoiced.silence_floor_db = std::nan("");
  voiced.mcd_db = 4;
  unvoiced.mcd_db = 6;
  const AudioComparison m = mean_of({voiced, unvoiced});
  EXPECT_EQ(m.f0_rmse_cents, 30);
  EXPECT_EQ(m.silence_floor_db, -50);
  EXPECT_EQ(m.mcd_db, 5);
  EXPECT_TRUE(std::isnan(mean_of({unvoiced}).f0_rmse_cents));
}

TEST(ObjectiveMetrics, DirectoriesPairByName) {
  test::TempDir dir;
  const auto x = speechlike();
  test::write_wav16(dir / "ref/a.wav", x, 22050);
  test::write_wav16(dir / "gen/a.wav", x, 22050);
  test::write_wav16(dir / "ref/only_ref.wav", x, 22050);
  const DirectoryComparison d = compare_directories(dir / "ref", dir / "gen", AudioConfig{}, 64);
  ASSERT_EQ(d.pairs.size(), 1u);
  EXPECT_EQ(d.pairs[0].name, "a");
  ASSERT_EQ(d.unmatched.size(), 1u);
  EXPECT_NE(d.unmatched[0].find("only_ref.wav"), std::string::npos);
  EXPECT_THROW(compare_directories(dir / "ref", dir / "nowhere", AudioConfig{}, 64), UserError);
}

TEST(Stft, InverseReconstructsTheSignal) {
  const AudioConfig a;
  const auto x = speechlike();
  const Stft stft(a.n_fft, a.win_length, a.hop_length);
  const auto y = stft.inverse(stft.complex_spectrogram(x), static_cast<int64_t>(x.size()));
  double worst = 0;
  for (std::size_t t = 0; t < x.size(); ++t) worst = std::max(worst, double(std::fabs(y[t] - x[t])));
  EXPECT_LT(worst, 1e-5);
}

TEST(GriffinLim, ConvergesTowardsTheMelItWasGiven) {
  const AudioConfig a;
  const auto x = speechlike();
  const MelSpectrogram mel(a);
  const std::vector<float> compressed = mel.compressed(x);
  std::vector<double> convergence;
  GriffinLimOptions options;
  options.iterations = 30;
  options.on_iteration = [&](int, double sc) { convergence.push_back(sc); };
  const auto y = griffin_lim_from_mel(compressed, a, options);
  EXPECT_EQ(y.size(), compressed.size() / a.n_mels * a.hop_length);
  ASSERT_EQ(convergence.size(), 30u);
  EXPECT_LT(convergence.back(), 0.8 * convergence.front()) << "spectral convergence must improve";
  // The reconstruction's mel is close to the input mel (phase is free, magnitude is not).
  const AudioComparison c = compare_audio(x, y, a, 256);
  EXPECT_LT(c.log_mel_distance, 0.35);
}

}  // namespace
}  // namespace wn
