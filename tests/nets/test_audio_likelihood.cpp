// Likelihoods of audio: a model's per-sample NLL (Model::sample_nll) averages to its training
// loss on a crop (WaveNet with each output; SampleRNN once silence is its first samples'
// history), and `audio_likelihood` of a crop given as audio and mel (with its context rows or
// without) is that crop's per-sample NLL after the first sample.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/errors.h"
#include "dataio/loader.h"
#include "dataio/mel.h"
#include "nets/audio_likelihood.h"
#include "nets/model_registry.h"
#include "tests/nets/training_fixtures.h"
#include "tests/test_support.h"

namespace wn {
namespace {

Batch random_crop(int64_t samples, int64_t rows, int n_mels) {
  torch::manual_seed(21);
  Batch b;
  b.audio = (torch::rand({2, samples}) * 1.8 - 0.9).to(torch::kFloat);
  b.mel = torch::randn({2, rows, n_mels});
  b.label = torch::tensor({0, 1}, torch::kLong);
  b.reset = torch::ones({2}, torch::kBool);
  return b;
}

TEST(SampleNll, WaveNetMeanIsTheLossOfACrop) {
  for (const char* output : {"model.output=softmax", "model.output=mol", "model.output=gaussian"}) {
    SCOPED_TRACE(output);
    const Config config = test::small_training_config({output, "model.global_conditioning=true", "model.n_labels=2"});
    torch::manual_seed(3);
    const std::unique_ptr<Model> model = build_model(config, 2);
    model->module().eval();
    const int context = model->data_needs().context_frames;
    const Batch crop = random_crop(128, 128 / 16 + 2 * context, 8);
    torch::NoGradGuard no_grad;
    const torch::Tensor nll = model->sample_nll(crop, torch::kCPU);
    ASSERT_EQ(nll.sizes(), crop.audio.sizes());
    EXPECT_NEAR(nll.mean().item<double>(), model->loss(crop, torch::kCPU).item<double>(), 1e-5);
    // Causal: a change at sample 100 leaves the NLL of samples 0..100 as it was.
    Batch changed = crop;
    changed.audio = crop.audio.clone();
    changed.audio[0][100] = -changed.audio[0][100];
    const torch::Tensor after = model->sample_nll(changed, torch::kCPU);
    EXPECT_TRUE(torch::allclose(after.narrow(1, 0, 100), nll.narrow(1, 0, 100)));
    EXPECT_FALSE(torch::allclose(after[0].narrow(0, 100, 28), nll[0].narrow(0, 100, 28)));
  }
}

TEST(SampleNll, SampleRnnMeanIsTheLossWithSilenceAsHistory) {
  const Config config = test::small_samplernn_config();
  torch::manual_seed(4);
  const std::unique_ptr<Model> model = build_model(config, 0);
  model->module().eval();
  const int64_t history = model->data_needs().history_samples;
  const Batch crop = random_crop(64, 0, 8);
  torch::NoGradGuard no_grad;
  const torch::Tensor nll = model->sample_nll(crop, torch::kCPU);
  ASSERT_EQ(nll.sizes(), crop.audio.sizes());
  Batch with_history = crop;
  with_history.audio = torch::cat({torch::zeros({2, history}), crop.audio}, 1);
  EXPECT_NEAR(nll.mean().item<double>(), model->loss(with_history, torch::kCPU).item<double>(), 1e-5);
}

TEST(AudioLikelihood, IsTheCropsNllAfterItsFirstSample) {
  const Config config = test::small_training_config({"data.normalize_mel=false"});
  torch::manual_seed(5);
  LoadedModel loaded;
  loaded.config = config;
  loaded.model = build_model(config, 0);
  loaded.checkpoint = "random.pt";
  loaded.model->module().eval();
  const int context = loaded.model->data_needs().context_frames;
  const int64_t frames = 12, samples = frames * 16;
  Batch crop = random_crop(samples, frames + 2 * context, 8);
  crop.audio = crop.audio.narrow(0, 0, 1).contiguous();
  crop.mel = crop.mel.narrow(0, 0, 1).contiguous();
  torch::Tensor expected;
  {
    torch::NoGradGuard no_grad;
    expected = loaded.model->sample_nll(crop, torch::kCPU)[0].narrow(0, 1, samples - 1).mean();
  }
  LikelihoodInput input;
  input.audio.assign(crop.audio.data_ptr<float>(), crop.audio.data_ptr<float>() + samples);
  input.mel.assign(crop.mel.data_ptr<float>(), crop.mel.data_ptr<float>() + crop.mel.numel());
  input.mel_has_context = true;
  const AudioLikelihood with_context = audio_likelihood(loaded, input);
  EXPECT_EQ(with_context.samples, samples - 1);
  EXPECT_NEAR(with_context.nats_per_sample, expected.item<double>(), 1e-6);
  EXPECT_NEAR(with_context.bits_per_sample(), with_context.nats_per_sample / std::log(2.0), 1e-12);

  // The same mel without its context rows gets silence there: the model's silence context.
  if (context > 0) {
    const float silence = MelSpectrogram(config.audio).silence_value();
    crop.mel.narrow(1, 0, context).fill_(silence);
    crop.mel.narrow(1, frames + context, context).fill_(silence);
    torch::NoGradGuard no_grad;
    const double silent = loaded.model->sample_nll(crop, torch::kCPU)[0].narrow(0, 1, samples - 1).mean().item<double>();
    input.mel.assign(crop.mel.data_ptr<float>() + context * 8, crop.mel.data_ptr<float>() + (frames + context) * 8);
    input.mel_has_context = false;
    EXPECT_NEAR(audio_likelihood(loaded, input).nats_per_sample, silent, 1e-6);
  }

  // A mel shorter than the audio scores the samples its frames cover; a longer one is an error.
  input.mel.resize(2 * 8);
  EXPECT_EQ(audio_likelihood(loaded, input).samples, 2 * 16 - 1);
  input.mel.resize((frames + 2) * 8, -2.0f);
  EXPECT_THROW(audio_likelihood(loaded, input), UserError) << "14 frames for 192 samples";
}

TEST(AudioLikelihood, CriticsAndShortAudioAreRefused) {
  LoadedModel critic;
  critic.config = resolve_config(std::nullopt, {"audio.n_mels=8", "model.type=rating", "model.conv_channels=4", "model.dense_channels=4"});
  critic.model = build_model(critic.config, 0);
  critic.checkpoint = "critic.pt";
  LikelihoodInput input;
  input.audio.assign(4000, 0.1f);
  EXPECT_THROW(audio_likelihood(critic, input), UserError);
  LoadedModel wavenet;
  wavenet.config = test::small_training_config();
  wavenet.model = build_model(wavenet.config, 0);
  input.audio.assign(1, 0.1f);
  EXPECT_THROW(audio_likelihood(wavenet, input), UserError);
}

}  // namespace
}  // namespace wn
