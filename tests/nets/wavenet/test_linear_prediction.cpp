// WaveNet with linear prediction from the mel (model.linear_prediction), and with long-term
// prediction (model.long_term_prediction): the sample history predicts as the formula says;
// every generator emits prediction + a sample of the network's output (so each x[t] - p[t] is
// one of the model's quantization levels), with the pitch head's lags; streaming and rows of
// their own lengths stay bit for bit equal to a batch of one; training scores the excitation,
// not the sample, with the loader's lags.

#include "nets/wavenet/linear_prediction.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/config/config_io.h"
#include "dataio/loader.h"
#include "dataio/mel.h"
#include "dataio/quantization.h"
#include "nets/model_registry.h"
#include "nets/wavenet/wavenet.h"
#include "tests/nets/wavenet/generation_checks.h"

namespace wn {
namespace {

Config lpc_config(int order) {
  return resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                        {"model.linear_prediction=" + std::to_string(order)});
}

// Resonant noise (two formants) and its mel, so that the predictors are speech-like.
torch::Tensor formant_noise(int64_t samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);
  std::vector<float> x(static_cast<std::size_t>(samples), 0.0f);
  double y1 = 0, y2 = 0;
  for (auto& v : x) {
    const double y = noise(rng) + 2 * 0.97 * std::cos(2 * M_PI * 600 / 22050.0) * y1 - 0.97 * 0.97 * y2;
    y2 = y1;
    y1 = y;
    v = static_cast<float>(y);
  }
  return torch::tensor(x);
}

torch::Tensor mel_of(const Config& config, const torch::Tensor& audio) { return test::request_mel(config, audio); }

// An untrained model whose softmax peaks at the levels next to zero, so that the excitations
// it samples are small and prediction + excitation rarely reaches the clamp.
std::unique_ptr<Model> peaked_model(const Config& config) {
  torch::manual_seed(5);
  std::unique_ptr<Model> model = build_model(config, 0);
  torch::NoGradGuard no_grad;
  for (auto& p : model->module().named_parameters()) {
    if (p.key().find("post_output") == std::string::npos) continue;
    if (p.key().find("bias") != std::string::npos) {
      const torch::Tensor c = torch::arange(p.value().size(0), torch::kFloat) - (p.value().size(0) - 1) / 2.0;
      p.value().copy_(-0.05 * c * c);
    } else {
      p.value().mul_(0.01);
    }
  }
  return model;
}

LinearPrediction prediction_for(const Config& config) {
  LinearPrediction p;
  p.lpc = std::make_shared<MelToLpc>(config.audio, config.model.linear_prediction);
  p.hop = config.audio.hop_length;
  p.context_frames = (config.model.cond_kernel_size - 1) / 2;
  p.pitch_gain = static_cast<float>(config.model.long_term_prediction);
  p.pitch.sample_rate = config.audio.sample_rate;
  return p;
}

TEST(LinearPrediction, HistoryPredictsByTheFormula) {
  const int order = 5, lag = 7;
  SampleHistory history(order, 2, /*max_lag=*/9);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> c(order), past, r;
  for (float& v : c) v = u(rng);
  // Row 1 switches long-term prediction (gain 0.7, lag 7) on from step 10; row 0 sees silence.
  for (int t = 0; t < 23; ++t) {
    StepPredictor p;
    p.coefficients = c.data();
    if (t >= 10) {
      p.gain = 0.7f;
      p.lag = lag;
    }
    const float back = p.gain * (t - lag >= 0 ? past[t - lag] : 0.0f);
    float expected = 0.0f;
    for (int k = 0; k < order; ++k) expected += c[k] * (t - 1 - k >= 0 ? r[t - 1 - k] : 0.0f);
    expected += back;
    EXPECT_FLOAT_EQ(history.predict(1, p), expected) << "step " << t;
    EXPECT_EQ(history.predict(0, p), 0.0f) << "row 0 only ever saw silence";
    past.push_back(u(rng));
    r.push_back(past.back() - back);
    history.push(1, past.back(), p);
    history.push(0, 0.0f, p);
  }
}

TEST(LinearPrediction, TeacherForcedPredictionsUseEachSamplesFrame) {
  const Config config = lpc_config(8);
  const LinearPrediction prediction = prediction_for(config);
  const torch::Tensor audio = formant_noise(6 * 256, 3);
  const torch::Tensor mel = mel_of(config, audio);
  const std::vector<float> p = teacher_forced_predictions(prediction, audio.data_ptr<float>(), 1, audio.numel(),
                                                          mel.data_ptr<float>(), mel.size(1));
  std::vector<float> c(8);
  for (int64_t t = 0; t < audio.numel(); ++t) {
    prediction.lpc->coefficients(mel[0][prediction.context_frames + t / 256].data_ptr<float>(), c.data());
    double expected = 0;
    for (int k = 0; k < 8; ++k) expected += t - 1 - k >= 0 ? c[k] * audio[t - 1 - k].item<float>() : 0.0f;
    ASSERT_NEAR(p[t], expected, 1e-5) << "sample " << t;
  }
  // The formants are predictable: the excitation is much smaller than the samples.
  const torch::Tensor e = audio - torch::tensor(p);
  EXPECT_LT(e.slice(0, 256).pow(2).mean().item<double>(), 0.2 * audio.slice(0, 256).pow(2).mean().item<double>());
}

struct LevelCheck {
  int64_t unclamped = 0, on_levels = 0;  // steps below the clamp; those whose x[t] - p[t] is a level
  double largest_prediction = 0;
};

// x[t] - p[t] recomputed from generated audio (with long-term prediction, f0 is the track whose
// lags the generator used, per frame), against the softmax's levels.
LevelCheck check_levels(const Config& config, const torch::Tensor& audio, const torch::Tensor& mel,
                        const std::vector<float>& f0 = {}) {
  const torch::Tensor x = audio.contiguous();
  const torch::Tensor rows = mel.contiguous();  // (mel rows, n_mels)
  const std::vector<float> p = teacher_forced_predictions(prediction_for(config), x.data_ptr<float>(), 1, x.numel(),
                                                          rows.data_ptr<float>(), rows.size(0), f0.empty() ? nullptr : f0.data());
  const Quantization q = quantization_named(config.model.quantization);
  const int classes = config.model.quantize_channels;
  LevelCheck c;
  for (int64_t t = 0; t < x.numel(); ++t) {
    const float v = x[t].item<float>();
    c.largest_prediction = std::max(c.largest_prediction, std::abs(static_cast<double>(p[t])));
    if (std::abs(v) >= 1.0f) continue;
    const float e = v - p[t];
    const float level = dequantize_sample(quantize_sample(e, classes, q), classes, q);
    ++c.unclamped;
    if (std::abs(e - level) <= 2e-6) ++c.on_levels;
  }
  return c;
}

// Every x[t] - p[t] is one of the softmax's levels wherever the sample did not hit the clamp,
// and the predictions are not all zero.
void expect_excitations_on_levels(const Config& config, const torch::Tensor& audio, const torch::Tensor& mel,
                                  const std::string& who, const std::vector<float>& f0 = {}) {
  const LevelCheck c = check_levels(config, audio, mel, f0);
  EXPECT_EQ(c.on_levels, c.unclamped) << who;
  EXPECT_GT(c.unclamped, audio.numel() * 9 / 10) << who;
  EXPECT_GT(c.largest_prediction, 1e-3) << who;
}

TEST(LinearPrediction, EveryGeneratorAddsThePredictionToASampledExcitation) {
  const Config config = lpc_config(16);
  std::unique_ptr<Model> model = peaked_model(config);
  const torch::Tensor mel = mel_of(config, formant_noise(12 * 256, 9));
  GenerationRequest request;
  request.mel = mel;
  request.samples = (mel.size(1) - 4) * 256;
  FastGeneratorOptions fast;
  fast.threads = 2;
  expect_excitations_on_levels(config, model->fast_generator(fast)->generate(request, 4)[0], mel[0], "engine");
  expect_excitations_on_levels(config, model->reference_generator()->generate(request, 4)[0], mel[0], "libtorch");
  request.samples = 300;  // the naive baseline is slow
  for (auto& baseline : model->bench_baselines()) {
    expect_excitations_on_levels(config, baseline.generator->generate(request, 4)[0], mel[0], baseline.method);
  }
}

// The engine's streaming, and rows of their own lengths in a batch, against a batch of one.
void expect_engine_streams_equal_a_batch_of_one(const Config& config, Model& model) {
  FastGeneratorOptions fast;
  fast.threads = 2;
  std::unique_ptr<Generator> engine = model.fast_generator(fast);
  const torch::Tensor long_mel = mel_of(config, formant_noise(10 * 256, 1));
  const torch::Tensor short_mel = mel_of(config, formant_noise(6 * 256, 2));
  test::expect_streams_and_short_rows_equal_a_batch_of_one(*engine, config, long_mel, short_mel);
}

TEST(LinearPrediction, StreamsAndShortRowsEqualABatchOfOne) {
  const Config config = lpc_config(16);
  expect_engine_streams_equal_a_batch_of_one(config, *peaked_model(config));
}

// With the output peaked at zero, a model that scores the excitation (small) finds the audio
// far likelier than the same weights scoring the samples themselves.
TEST(LinearPrediction, TrainingScoresTheExcitation) {
  const Config with = lpc_config(16), without = lpc_config(0);
  std::unique_ptr<Model> predicting = peaked_model(with), plain = peaked_model(without);
  const torch::Tensor audio = formant_noise(8 * 256, 4);
  Batch batch;
  batch.audio = audio.unsqueeze(0);
  batch.mel = mel_of(with, audio);
  batch.label = torch::full({1}, -1, torch::kLong);
  const double excitation_loss = predicting->loss(batch, torch::kCPU).item<double>();
  const double sample_loss = plain->loss(batch, torch::kCPU).item<double>();
  EXPECT_LT(excitation_loss, sample_loss - 0.5) << excitation_loss << " vs " << sample_loss;
}

// Long-term prediction (model.long_term_prediction): linear prediction plus the sample one pitch
// period back, the period from the pitch head's F0.
Config long_term_config() {
  return resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                        {"model.linear_prediction=16", "model.pitch_harmonics=2", "model.long_term_prediction=0.8"});
}

// peaked_model's output, and a pitch head that calls every frame voiced near 150 Hz.
std::unique_ptr<Model> peaked_voiced_model(const Config& config) {
  std::unique_ptr<Model> model = peaked_model(config);
  torch::NoGradGuard no_grad;
  for (auto& p : model->module().named_parameters()) {
    if (p.key() == "pitch_head.out.bias") p.value().copy_(torch::tensor({4.0f, 0.4f}));
    if (p.key() == "pitch_head.out.weight") p.value().mul_(0.3);
  }
  return model;
}

std::vector<float> head_f0(Model& model, const torch::Tensor& mel) {
  PitchRows rows(dynamic_cast<WaveNetImpl&>(model.module()).pitch_conditioning(), 1);
  rows.add(0, mel[0].contiguous().data_ptr<float>(), mel.size(1));
  return rows.f0(0);
}

TEST(LongTermPrediction, TeacherForcedPredictionsAddTheSampleAPeriodBack) {
  const Config config = long_term_config();
  const LinearPrediction prediction = prediction_for(config);
  const torch::Tensor audio = formant_noise(6 * 256, 3);
  const torch::Tensor mel = mel_of(config, audio);
  const std::vector<float> f0 = {0.0f, 150.0f, 150.0f, 0.0f, 210.0f, 210.0f};  // lags 147 and 105
  const std::vector<float> p = teacher_forced_predictions(prediction, audio.data_ptr<float>(), 1, audio.numel(),
                                                          mel.data_ptr<float>(), mel.size(1), f0.data());
  std::vector<float> c(16);
  std::vector<double> r;
  for (int64_t t = 0; t < audio.numel(); ++t) {
    const float hz = f0[t / 256];
    const int lag = hz > 0 ? static_cast<int>(std::lround(22050.0 / hz)) : 0;
    const double back = lag > 0 ? 0.8 * audio[t - lag].item<float>() : 0.0;
    prediction.lpc->coefficients(mel[0][prediction.context_frames + t / 256].data_ptr<float>(), c.data());
    double expected = back;
    for (int k = 0; k < 16; ++k) expected += t - 1 - k >= 0 ? c[k] * r[t - 1 - k] : 0.0;
    ASSERT_NEAR(p[t], expected, 1e-5) << "sample " << t;
    r.push_back(audio[t].item<float>() - back);
  }
}

// A periodic signal leaves a much smaller excitation with the pitch predictor than without.
TEST(LongTermPrediction, PredictsAPeriodicSignal) {
  const Config config = long_term_config();
  const int64_t samples = 8 * 256;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.1);
  std::vector<float> period(126);  // 175 Hz
  for (float& v : period) v = static_cast<float>(noise(rng));
  std::vector<float> x(static_cast<std::size_t>(samples));
  for (int64_t t = 0; t < samples; ++t) x[t] = period[t % 126];
  const torch::Tensor audio = torch::tensor(x);
  const torch::Tensor mel = mel_of(config, audio);
  const std::vector<float> voiced(8, 175.0f), unvoiced(8, 0.0f);
  auto excitation_power = [&](const std::vector<float>& f0) {
    const std::vector<float> p = teacher_forced_predictions(prediction_for(config), x.data(), 1, samples,
                                                            mel.data_ptr<float>(), mel.size(1), f0.data());
    double power = 0;
    for (int64_t t = 256; t < samples; ++t) power += (x[t] - p[t]) * (x[t] - p[t]);
    return power;
  };
  EXPECT_LT(excitation_power(voiced), 0.3 * excitation_power(unvoiced));
}

// Every generator predicts with the head's F0: x[t] - p[t], recomputed with its lags, is one of
// the softmax's levels, and without them it is not.
TEST(LongTermPrediction, EveryGeneratorRepeatsTheSampleAPeriodBack) {
  const Config config = long_term_config();
  std::unique_ptr<Model> model = peaked_voiced_model(config);
  const torch::Tensor mel = mel_of(config, formant_noise(12 * 256, 9));
  const std::vector<float> f0 = head_f0(*model, mel);
  ASSERT_GT(*std::min_element(f0.begin(), f0.end()), 100.0f) << "the head must voice every frame";
  GenerationRequest request;
  request.mel = mel;
  request.samples = (mel.size(1) - 4) * 256;
  FastGeneratorOptions fast;
  fast.threads = 2;
  const torch::Tensor engine = model->fast_generator(fast)->generate(request, 4)[0];
  expect_excitations_on_levels(config, engine, mel[0], "engine", f0);
  expect_excitations_on_levels(config, model->reference_generator()->generate(request, 4)[0], mel[0], "libtorch", f0);
  request.samples = 3 * 256;  // the naive baseline is slow; past a period, so lags reach back
  for (auto& baseline : model->bench_baselines()) {
    expect_excitations_on_levels(config, baseline.generator->generate(request, 4)[0], mel[0], baseline.method, f0);
  }
  // The lags matter: without them the engine's audio does not decompose into levels.
  const LevelCheck without = check_levels(config, engine, mel[0], std::vector<float>(f0.size(), 0.0f));
  EXPECT_LT(without.on_levels, without.unclamped / 2);
}

TEST(LongTermPrediction, StreamsAndShortRowsEqualABatchOfOne) {
  const Config config = long_term_config();
  expect_engine_streams_equal_a_batch_of_one(config, *peaked_voiced_model(config));
}

// Training takes the lags from the loader's F0 track, so the loss depends on it.
TEST(LongTermPrediction, TrainingUsesTheLoadersF0) {
  const Config config = long_term_config();
  std::unique_ptr<Model> model = peaked_voiced_model(config);
  model->module().eval();
  const torch::Tensor audio = formant_noise(8 * 256, 4);
  Batch batch;
  batch.audio = audio.unsqueeze(0);
  batch.mel = mel_of(config, audio);
  batch.label = torch::full({1}, -1, torch::kLong);
  batch.f0 = torch::zeros({1, 8 + 4});
  batch.f0_phase = torch::zeros({1, 8 + 4});
  const double unvoiced = model->loss(batch, torch::kCPU).item<double>();
  batch.f0.fill_(150.0f);
  const double voiced = model->loss(batch, torch::kCPU).item<double>();
  EXPECT_GT(std::abs(voiced - unvoiced), 1e-3) << voiced << " vs " << unvoiced;
}

}  // namespace
}  // namespace wn
