// The seam, for every registered family: build from its small preset, train a few steps (with
// evaluation and its audio), save, reload from the checkpoint, synthesise with the fast
// generator (or, for a critic, score mels). A family added to the registry is tested here
// without a line of new test code.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/loader.h"
#include "nets/model_loading.h"
#include "nets/model_registry.h"
#include "nets/training/trainer.h"
#include "tests/nets/training_fixtures.h"
#include "tests/test_support.h"

namespace wn {
namespace {

Config preset(const std::string& name, const std::vector<std::string>& overrides) {
  return resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / (name + ".yaml"), overrides);
}

TEST(ModelFamilies, EveryFamilyTrainsSavesReloadsAndSynthesises) {
  ASSERT_GE(model_families().size(), 2u);
  for (const ModelFamily& family : model_families()) {
    SCOPED_TRACE(family.name);
    test::TempDir dir;
    const Config config = preset(family.small_preset, {"train.batch_size=2", "train.max_steps=3", "train.log_every=1",
                                                       "train.checkpoint_every=2", "train.eval_every=3",
                                                       "train.eval_audio_seconds=0.01", "train.eval_utterances=1",
                                                       "train.device=cpu"});
    ASSERT_EQ(config.model.type, family.name);
    test::write_small_corpus(dir / "data", config, 4);
    TrainerOptions options;
    options.data_dir = dir / "data";
    options.run_dir = dir / "run";
    options.config = config;
    options.show_progress = false;
    const TrainerResult trained = train(options);
    EXPECT_EQ(trained.last_step, 3);
    EXPECT_TRUE(std::isfinite(trained.last_loss));
    const auto checkpoint = load_checkpoint_file(*CheckpointDirectory(dir / "run").latest());
    EXPECT_EQ(checkpoint.at("model_type").toStringRef(), family.name);
    const LoadedModel loaded = load_model(dir / "run", true);
    EXPECT_EQ(loaded.config.model.type, family.name);
    EXPECT_EQ(loaded.step, 3);
    const bool critic = loaded.model->critic() != nullptr;
    if (!critic) {
      EXPECT_FALSE(std::filesystem::is_empty(dir / "run/samples")) << "evaluation audio from the reference generator";
    }

    FastGeneratorOptions fast;
    fast.threads = 2;
    const std::unique_ptr<Generator> generator = loaded.model->fast_generator(fast);
    if (critic) {
      EXPECT_FALSE(generator) << "a critic generates no audio";
      const torch::Tensor mel = torch::randn({3, 7, config.audio.n_mels}, torch::requires_grad());
      const torch::Tensor scores = loaded.model->critic()->score(mel);
      ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{3}));
      EXPECT_TRUE(torch::isfinite(scores).all().item<bool>());
      scores.sum().backward();
      EXPECT_GT(mel.grad().abs().sum().item<float>(), 0.0f) << "scores are differentiable in the mel";
      EXPECT_FALSE(trained.validation_figures.empty()) << "a critic reports its own validation figures";
      continue;
    }
    ASSERT_TRUE(generator);
    GenerationRequest request;
    const int hop = config.audio.hop_length;
    request.samples = 2 * hop;
    request.batch = 2;
    if (config.model.local_conditioning) {
      request.mel = torch::randn({2, 2 + 2 * loaded.model->data_needs().context_frames, config.audio.n_mels}) - 3.0;
    }
    const torch::Tensor audio = generator->generate(request, 5);
    ASSERT_EQ(audio.sizes(), (std::vector<int64_t>{2, 2 * hop}));
    EXPECT_TRUE(torch::isfinite(audio).all().item<bool>());
    EXPECT_LE(audio.abs().max().item<float>(), 1.0f);
    EXPECT_TRUE(torch::equal(audio, generator->generate(request, 5))) << "same seed, same audio";
  }
}

TEST(ModelFamilies, RegistryAndConfigAgree) {
  std::vector<std::string> config_families;
  ModelConfig model;
  model.families([&](const char* name, auto&) { config_families.emplace_back(name); });
  std::vector<std::string> registered;
  for (const ModelFamily& family : model_families()) registered.push_back(family.name);
  EXPECT_EQ(config_families, registered);
  EXPECT_THROW(model_family("wavernn"), ConfigError);
}

}  // namespace
}  // namespace wn
