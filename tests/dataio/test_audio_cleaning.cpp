#include "dataio/audio_cleaning.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dataio/features.h"
#include "dataio/mel.h"
#include "tests/dataio/audio_fixtures.h"

namespace wn {
namespace {

double rms(const std::vector<float>& x, std::size_t begin, std::size_t end) {
  double sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += x[i] * x[i];
  return std::sqrt(sum / (end - begin));
}

TEST(Trim, CutsLeadingAndTrailingSilence) {
  std::vector<float> x(8000, 0.0f);
  const auto tone = test::sine(300, 16000, 0.5);
  x.insert(x.end(), tone.begin(), tone.end());
  x.insert(x.end(), 4000, 0.0f);
  const auto trimmed = trim_silence(x, 60.0, 1024, 256);
  // The kept span is the tone plus at most a frame of margin on each side.
  EXPECT_GE(trimmed.size(), tone.size());
  EXPECT_LE(trimmed.size(), tone.size() + 2 * 1024);
  EXPECT_GT(rms(trimmed, 0, trimmed.size()), 0.3);
}

TEST(Trim, ThresholdIsRelativeToPeak) {
  // A quiet tone 40 dB below a loud one survives top_db=60 but not top_db=20.
  auto loud = test::sine(300, 16000, 0.5, 0.5f);
  const auto quiet = test::sine(300, 16000, 0.5, 0.005f);
  std::vector<float> x = quiet;
  x.insert(x.end(), loud.begin(), loud.end());
  EXPECT_GT(trim_silence(x, 60.0, 1024, 256).size(), x.size() - 1024);
  EXPECT_LT(trim_silence(x, 20.0, 1024, 256).size(), loud.size() + 1024);
}

TEST(Trim, AllSilenceIsUnchanged) {
  const std::vector<float> x(1000, 0.0f);
  EXPECT_EQ(trim_silence(x, 60.0, 256, 64).size(), 1000u);
}

TEST(Highpass, RemovesLowKeepsHighWithoutDelay) {
  std::vector<float> low = test::sine(20, 16000, 1.0);
  std::vector<float> high = test::sine(2000, 16000, 1.0);
  const std::vector<float> high_before = high;
  highpass_zero_phase(low, 100.0, 16000);
  highpass_zero_phase(high, 100.0, 16000);
  EXPECT_LT(rms(low, 4000, 12000), 0.5 / std::sqrt(2.0) * 0.05);  // 20 Hz: > 26 dB down
  EXPECT_NEAR(rms(high, 4000, 12000), 0.5 / std::sqrt(2.0), 0.01);
  // Zero phase: the 2 kHz tone is not shifted.
  double diff = 0;
  for (std::size_t i = 4000; i < 12000; ++i) diff = std::max(diff, double(std::fabs(high[i] - high_before[i])));
  EXPECT_LT(diff, 0.02);
}

TEST(Gain, PeakNormaliseGainAndPreemphasis) {
  std::vector<float> x = {0.1f, -0.4f, 0.2f};
  normalize_peak(x, 0.8);
  EXPECT_FLOAT_EQ(x[1], -0.8f);
  EXPECT_FLOAT_EQ(x[0], 0.2f);
  apply_gain_db(x, -6.0206);
  EXPECT_NEAR(x[1], -0.4f, 1e-4);
  std::vector<float> y = {1.0f, 1.0f, 0.5f};
  apply_preemphasis(y, 0.97);
  EXPECT_FLOAT_EQ(y[0], 1.0f);
  EXPECT_FLOAT_EQ(y[1], 1.0f - 0.97f);
  EXPECT_FLOAT_EQ(y[2], 0.5f - 0.97f);
}

// Synth undoes the model's time domain chunk by chunk: pre-emphasis always, the gain when the mel
// was made before it (r9y9's order).
TEST(EmphasisUndo, InvertsGainAndPreemphasisAcrossChunks) {
  AudioConfig config;
  config.gain_db = 20.0 * std::log10(0.55);
  config.preemphasis = 0.85;
  const auto plain = test::sine(300, 22050, 0.05, 0.4f);
  std::vector<float> modelled = plain;
  apply_emphasis(modelled, config);
  ASSERT_NE(modelled, plain);
  for (bool mel_first : {false, true}) {
    config.mel_before_emphasis = mel_first;
    EmphasisUndo undo(config);
    std::vector<float> restored;
    for (std::size_t begin = 0; begin < modelled.size(); begin += 100) {
      std::vector<float> chunk(modelled.begin() + begin, modelled.begin() + std::min(modelled.size(), begin + 100));
      undo.apply(chunk);
      restored.insert(restored.end(), chunk.begin(), chunk.end());
    }
    ASSERT_EQ(restored.size(), plain.size());
    const float scale = mel_first ? 1.0f : 0.55f;  // without it the gain stays: the mel described gained audio
    for (std::size_t i = 0; i < plain.size(); ++i) ASSERT_NEAR(restored[i], plain[i] * scale, 1e-5f) << i;
  }
}

TEST(MelBeforeEmphasis, TheMelDescribesThePlainAudioAndTheAudioIsEmphasised) {
  AudioConfig config;
  config.trim_top_db = 0;
  config.gain_db = -6.0;
  config.preemphasis = 0.85;
  const auto x = test::sine(440, 22050, 0.3, 0.5f);
  std::vector<float> emphasised = x;
  apply_emphasis(emphasised, config);
  for (bool mel_first : {false, true}) {
    config.mel_before_emphasis = mel_first;
    const MelSpectrogram mel(config);
    const UtteranceFeatures f = features_from_audio(x, 22050, config, mel);
    EXPECT_EQ(f.mel, mel.compressed(mel_first ? x : emphasised)) << mel_first;
    ASSERT_GE(f.audio.size(), x.size());
    EXPECT_EQ(std::vector<float>(f.audio.begin(), f.audio.begin() + static_cast<std::ptrdiff_t>(x.size())), emphasised);
  }
}

TEST(CleanAudio, AppliesOnlyEnabledSteps) {
  AudioConfig config;
  config.trim_top_db = 0;
  const auto x = test::sine(300, 22050, 0.2, 0.3f);
  EXPECT_EQ(clean_audio(x, config), x);
  config.peak_normalize = 0.9;
  const auto y = clean_audio(x, config);
  float peak = 0;
  for (float v : y) peak = std::max(peak, std::fabs(v));
  EXPECT_NEAR(peak, 0.9f, 1e-6);
}

}  // namespace
}  // namespace wn
