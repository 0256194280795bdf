// Dreaming with critics whose weights are random (any differentiable score will do for the
// mechanics): the ascent raises the score, its first step's score is the one `rate` gives, every
// regulariser does what its key says, the amplitude bound holds, and the files land. Dreaming
// with a trained critic is tested with the rating network's learning (test_rating.cpp).

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <png.h>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/mel.h"
#include "nets/critic_scoring.h"
#include "nets/dream/dream_files.h"
#include "nets/model_registry.h"
#include "tests/test_support.h"

namespace wn {
namespace {

constexpr int kRate = 16000;

LoadedModel untrained_critic(std::vector<std::string> sets, std::vector<std::string> labels = {}) {
  for (const char* s : {"audio.sample_rate=16000", "audio.n_fft=512", "audio.win_length=512", "audio.hop_length=128",
                        "audio.n_mels=32", "audio.fmin=100", "audio.fmax=4000", "model.type=rating",
                        "model.conv_channels=16", "model.dense_channels=16"}) {
    sets.insert(sets.begin(), s);
  }
  torch::manual_seed(11);
  LoadedModel m;
  m.config = resolve_config(std::nullopt, sets);
  m.labels = std::move(labels);
  m.model = build_model(m.config, static_cast<int>(m.labels.size()));
  m.mel_mean.assign(32, -3.0);
  m.mel_std.assign(32, 1.5);
  if (m.labels.empty()) m.target = {"popularity", 100, 10.0, 2.0};
  m.checkpoint = "untrained.pt";
  return m;
}

DreamConfig quick(int steps) {
  DreamConfig s;
  s.steps = steps;
  s.lr = 0.002;
  return s;
}

// The score alone: a random critic's gradients are weak beside the default penalties.
DreamConfig unregularised(int steps) {
  DreamConfig s = quick(steps);
  s.range_weight = s.out_of_band_weight = s.tv_weight = 0;
  return s;
}

// A sine over a quiet noise floor, as recordings have: a pure sine leaves most bands near the
// log floor, where the log-mel is so curved that any finite step is far from its linearisation.
std::vector<float> tone(double hz, double amplitude, double seconds = 0.5) {
  DreamConfig floor;
  floor.init_noise = 0.003;
  std::vector<float> x = dream_noise_start(static_cast<int64_t>(seconds * kRate), floor);
  for (std::size_t t = 0; t < x.size(); ++t) x[t] += static_cast<float>(amplitude * std::sin(2 * M_PI * hz * t / kRate));
  return x;
}

float peak(const std::vector<float>& x) {
  float p = 0;
  for (float v : x) p = std::max(p, std::fabs(v));
  return p;
}

TEST(Dreamer, RaisesTheScoreFromTheScoreRateGives) {
  for (const bool normalised : {false, true}) {
    SCOPED_TRACE(normalised ? "normalised mels" : "plain mels");
    const LoadedModel critic = untrained_critic({normalised ? "data.normalize_mel=true" : "data.normalize_mel=false"});
    DreamConfig settings = unregularised(40);
    settings.max_shift_frames = 0;  // step 1 scores the start exactly
    const std::vector<float> start = tone(440, 0.3);
    const DreamResult result = Dreamer(critic, settings).run(start);
    ASSERT_EQ(result.steps.size(), 40u);
    ASSERT_EQ(result.audio.size(), start.size());
    const double before = score_clip(critic, MelSpectrogram(critic.config.audio).compressed(start)).score;
    const double after = score_clip(critic, MelSpectrogram(critic.config.audio).compressed(result.audio)).score;
    // The start was bound-limited through tanh(atanh(x / bound)): the same samples to float precision.
    EXPECT_NEAR(result.steps.front().score, before, 1e-3 * std::max(1.0, std::fabs(before)));
    EXPECT_GT(after, before + 0.1 * critic.target.std) << "ascent raises the score in the target's units";
    for (float v : result.audio) ASSERT_TRUE(std::isfinite(v));
  }
}

TEST(Dreamer, TheAmplitudeBoundHolds) {
  const LoadedModel critic = untrained_critic({});
  DreamConfig settings = quick(30);
  settings.amplitude_bound = 0.25;
  settings.lr = 0.2;  // large steps push samples against the bound
  const DreamResult result = Dreamer(critic, settings).run(tone(300, 0.95));
  EXPECT_LE(peak(result.audio), 0.25f);
  EXPECT_GT(peak(result.audio), 0.2f) << "the loud start sits at the bound, not far below it";
}

// Each penalty, weighted alone and heavily, falls over the steps.
TEST(Dreamer, EachRegulariserPullsItsFigureDown) {
  struct Check {
    const char* name;
    double DreamStep::*figure;
    void (*weigh)(DreamConfig&);
    std::vector<float> start;
  };
  std::vector<float> noisy = dream_noise_start(kRate / 2, quick(1));
  for (float& v : noisy) v *= 20.0f;  // std 0.2 white noise: much of its power lies above fmax=4 kHz
  const std::vector<Check> checks = {
      {"out_of_band", &DreamStep::out_of_band, [](DreamConfig& s) { s.out_of_band_weight = 1000; }, noisy},
      {"range", &DreamStep::range, [](DreamConfig& s) { s.range_weight = 100; s.range_std = 0.5; }, noisy},
      {"total_variation", &DreamStep::total_variation, [](DreamConfig& s) { s.tv_weight = 100; }, noisy},
  };
  const LoadedModel critic = untrained_critic({});
  for (const Check& check : checks) {
    SCOPED_TRACE(check.name);
    DreamConfig settings = unregularised(60);
    check.weigh(settings);
    const DreamResult result = Dreamer(critic, settings).run(check.start);
    const double first = result.steps.front().*check.figure, last = result.steps.back().*check.figure;
    std::printf("%s: %.4g -> %.4g\n", check.name, first, last);
    EXPECT_GT(first, 0.0);
    EXPECT_LT(last, 0.5 * first);
  }
}

TEST(Dreamer, ADiscriminatorsRealnessRises) {
  const LoadedModel critic = untrained_critic({});
  const LoadedModel discriminator = untrained_critic({"model.objective=classes"}, {"dream", "real"});
  DreamConfig settings = quick(60);
  settings.discriminator = "discriminator.pt";
  settings.realness_weight = 50;
  const DreamResult result = Dreamer(critic, settings, &discriminator).run(tone(500, 0.3));
  EXPECT_LT(result.steps.front().realness, 0.0) << "a log-probability";
  EXPECT_GT(result.steps.back().realness, result.steps.front().realness + 0.1);

  settings.discriminator_label = "corpus";
  EXPECT_THROW(Dreamer(critic, settings, &discriminator), UserError) << "no such label";
  settings.discriminator_label = "real";
  EXPECT_THROW(Dreamer(critic, settings, &critic), UserError) << "a regression critic cannot discriminate";
  EXPECT_THROW(Dreamer(critic, settings, nullptr), UserError) << "named but not loaded";
}

TEST(Dreamer, ClassifierCriticsRaiseTheNamedLabel) {
  const LoadedModel critic = untrained_critic({"model.objective=classes"}, {"piano", "flute"});
  DreamConfig settings = quick(40);
  EXPECT_THROW(Dreamer(critic, settings), UserError) << "which label to raise";
  settings.label = "flute";
  const DreamResult result = Dreamer(critic, settings).run(tone(440, 0.3));
  EXPECT_GT(result.steps.back().score, result.steps.front().score) << "flute's probability rises";
  EXPECT_LE(result.steps.back().score, 1.0);
}

TEST(DreamFiles, WritesAudioPicturesCurvesAndSteps) {
  test::TempDir dir;
  const LoadedModel critic = untrained_critic({});
  const DreamSummary summary = dream_to_files(critic, nullptr, unregularised(12), tone(440, 0.3), dir / "out/dream.wav", false);
  EXPECT_GT(summary.score_after, summary.score_before);
  EXPECT_EQ(summary.files.mels_png, dir / "out/dream_mels.png");
  for (const auto& file : {summary.files.audio, summary.files.mels_png, summary.files.curves_png, summary.files.steps_csv}) {
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  }
  const std::string csv = test::read_text(summary.files.steps_csv);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13) << "a header and one row per step";
  EXPECT_EQ(csv.rfind("step,score,range,out_of_band,total_variation,realness\n", 0), 0u);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, summary.files.curves_png.c_str()));
  EXPECT_EQ(image.width, static_cast<png_uint_32>(kDreamCurvesWidth));
  EXPECT_EQ(image.height, 4u * kDreamCurveHeight) << "score and three regularisers, no discriminator";
  png_image_free(&image);
}

}  // namespace
}  // namespace wn
