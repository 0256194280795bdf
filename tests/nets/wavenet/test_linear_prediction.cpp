// WaveNet with linear prediction from the mel (model.linear_prediction): the sample history
// predicts as the formula says; every generator emits prediction + a sample of the network's
// output (so each x[t] - p[t] is one of the model's quantization levels); streaming and
// rows of their own lengths stay bit for bit equal to a batch of one; training scores the
// excitation, not the sample.

#include "nets/wavenet/linear_prediction.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <random>

#include "core/config/config_io.h"
#include "dataio/loader.h"
#include "dataio/mel.h"
#include "dataio/quantization.h"
#include "nets/model_registry.h"
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
  return p;
}

TEST(LinearPrediction, HistoryPredictsByTheFormula) {
  const int order = 5;
  SampleHistory history(order, 2);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> c(order), past;
  for (float& v : c) v = u(rng);
  for (int t = 0; t < 23; ++t) {
    float expected = 0.0f;
    for (int k = 0; k < order; ++k) expected += c[k] * (t - 1 - k >= 0 ? past[t - 1 - k] : 0.0f);
    EXPECT_FLOAT_EQ(history.predict(1, c.data()), expected) << "step " << t;
    EXPECT_EQ(history.predict(0, c.data()), 0.0f) << "row 0 only ever saw silence";
    past.push_back(u(rng));
    history.push(1, past.back());
    history.push(0, 0.0f);
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

// x[t] - p[t], recomputed from the generated audio, is one of the softmax's levels wherever
// the sample did not hit the clamp; and the predictions are not all zero.
void expect_excitations_on_levels(const Config& config, const torch::Tensor& audio, const torch::Tensor& mel,
                                  const std::string& who) {
  const torch::Tensor x = audio.contiguous();
  const torch::Tensor rows = mel.contiguous();  // (mel rows, n_mels)
  const std::vector<float> p = teacher_forced_predictions(prediction_for(config), x.data_ptr<float>(), 1, x.numel(),
                                                          rows.data_ptr<float>(), rows.size(0));
  const Quantization q = quantization_named(config.model.quantization);
  const int classes = config.model.quantize_channels;
  int64_t checked = 0;
  double largest_prediction = 0;
  for (int64_t t = 0; t < x.numel(); ++t) {
    const float v = x[t].item<float>();
    largest_prediction = std::max(largest_prediction, std::abs(static_cast<double>(p[t])));
    if (std::abs(v) >= 1.0f) continue;
    const float e = v - p[t];
    const float level = dequantize_sample(quantize_sample(e, classes, q), classes, q);
    ASSERT_NEAR(e, level, 2e-6) << who << ", step " << t;
    ++checked;
  }
  EXPECT_GT(checked, x.numel() * 9 / 10) << who;
  EXPECT_GT(largest_prediction, 1e-3) << who;
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

TEST(LinearPrediction, StreamsAndShortRowsEqualABatchOfOne) {
  const Config config = lpc_config(16);
  std::unique_ptr<Model> model = peaked_model(config);
  FastGeneratorOptions fast;
  fast.threads = 2;
  std::unique_ptr<Generator> engine = model->fast_generator(fast);
  const torch::Tensor long_mel = mel_of(config, formant_noise(10 * 256, 1));
  const torch::Tensor short_mel = mel_of(config, formant_noise(6 * 256, 2));
  test::expect_streams_and_short_rows_equal_a_batch_of_one(*engine, config, long_mel, short_mel);
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

}  // namespace
}  // namespace wn
