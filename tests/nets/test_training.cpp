// Training pieces: LR schedules, Adam against LibTorch's, EMA, checkpoints, exact resume, and
// the non-finite step guard.

#include <gtest/gtest.h>

#include <cmath>

#include "core/checkpoint.h"
#include "core/errors.h"
#include "nets/training/adam.h"
#include "nets/training/ema.h"
#include "nets/training/lr_schedule.h"
#include "nets/training/train_state.h"
#include "nets/training/trainer.h"
#include "tests/nets/training_fixtures.h"
#include "tests/test_support.h"

namespace wn {
namespace {

TEST(LearningRate, Schedules) {
  TrainConfig t;
  t.lr = 0.01;
  t.lr_schedule = "constant";
  EXPECT_DOUBLE_EQ(learning_rate(t, 1000), 0.01);
  t.lr_schedule = "step";
  t.lr_decay_steps = 100;
  t.lr_decay_rate = 0.5;
  EXPECT_DOUBLE_EQ(learning_rate(t, 99), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate(t, 250), 0.0025);
  t.lr_schedule = "noam";
  t.warmup_steps = 100;
  EXPECT_NEAR(learning_rate(t, 100), 0.01, 1e-12);           // peak at the end of warm-up
  EXPECT_NEAR(learning_rate(t, 50), 0.005, 1e-12);           // linear before
  EXPECT_NEAR(learning_rate(t, 400), 0.01 * 0.5, 1e-12);     // 1/sqrt after
  t.lr_schedule = "cosine";
  t.warmup_steps = 10;
  t.lr_decay_steps = 110;
  EXPECT_NEAR(learning_rate(t, 5), 0.005, 1e-12);
  EXPECT_NEAR(learning_rate(t, 60), 0.005, 1e-12);  // half way down
  EXPECT_NEAR(learning_rate(t, 110), 0.0, 1e-12);
}

TEST(AdamOptimizer, MatchesLibTorchAdam) {
  torch::manual_seed(0);
  const torch::Tensor target = torch::randn({5, 3});
  torch::Tensor ours = torch::randn({5, 3}).requires_grad_(true);
  torch::Tensor theirs = ours.detach().clone().requires_grad_(true);
  Adam adam({{"w", ours}}, AdamSettings{0.9, 0.98, 1e-6, 0.01});
  torch::optim::Adam reference({theirs}, torch::optim::AdamOptions(0.05).betas({0.9, 0.98}).eps(1e-6).weight_decay(0.01));
  for (int i = 0; i < 20; ++i) {
    adam.zero_grad();
    reference.zero_grad();
    (ours - target).pow(2).sum().backward();
    (theirs - target).pow(2).sum().backward();
    adam.step(0.05);
    reference.step();
  }
  EXPECT_TRUE(torch::allclose(ours, theirs, 1e-5, 1e-6));
  EXPECT_EQ(adam.steps(), 20);
}

TEST(WeightAverage, WarmsUpThenUsesDecay) {
  torch::Tensor p = torch::zeros({2});
  WeightAverage ema({{"p", p}}, 0.9);
  p.fill_(1.0);
  ema.update({{"p", p}});  // effective decay min(0.9, 2/11)
  EXPECT_NEAR(ema.averages()[0].second[0].item<float>(), 1.0 - 2.0 / 11.0, 1e-6);
  for (int i = 0; i < 200; ++i) ema.update({{"p", p}});
  EXPECT_NEAR(ema.averages()[0].second[0].item<float>(), 1.0, 1e-6);
}

// A byte flipped inside a stored tensor is an error naming the file and the tensor; files
// written before checksums existed still load.
TEST(Checkpoint, DamagedTensorIsAnErrorNotDifferentWeights) {
  test::TempDir dir;
  c10::impl::GenericDict model(c10::StringType::get(), c10::TensorType::get());
  model.insert("w", torch::full({64}, 1234.5f));
  c10::impl::GenericDict d(c10::StringType::get(), c10::AnyType::get());
  d.insert("model", model);
  d.insert("step", 3);
  save_checkpoint_file(dir / "c.pt", d);
  EXPECT_TRUE(torch::equal(load_checkpoint_file(dir / "c.pt").at("model").toGenericDict().at("w").toTensor(),
                           torch::full({64}, 1234.5f)));

  std::string bytes = test::read_text(dir / "c.pt");
  const float value = 1234.5f;
  const std::size_t at = bytes.find(std::string(reinterpret_cast<const char*>(&value), 4));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 4 * 10] ^= 0x01;  // the 11th value's lowest mantissa bit
  test::write_text(dir / "c.pt", bytes);
  try {
    load_checkpoint_file(dir / "c.pt");
    FAIL() << "a damaged tensor must not load";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("c.pt: 'model/w' does not match its checksum"), std::string::npos) << e.what();
  }

  const std::vector<char> old_style = torch::pickle_save(c10::IValue(d));
  test::write_text(dir / "old.pt", std::string(old_style.begin(), old_style.end()));
  EXPECT_EQ(load_checkpoint_file(dir / "old.pt").at("step").toInt(), 3);
}

TEST(Checkpoint, DirectoryListsLatestAndPrunes) {
  test::TempDir dir;
  CheckpointDirectory checkpoints(dir.path());
  EXPECT_FALSE(checkpoints.latest().has_value());
  for (int step : {5, 100, 20}) {
    c10::impl::GenericDict d(c10::StringType::get(), c10::AnyType::get());
    d.insert("step", step);
    save_checkpoint_file(checkpoints.path_for(step), d);
  }
  test::write_text(dir / "notes.pt", "x");
  EXPECT_EQ(checkpoints.latest()->filename(), "checkpoint_000000100.pt");
  checkpoints.prune(2);
  ASSERT_EQ(checkpoints.list().size(), 2u);
  EXPECT_EQ(checkpoints.list()[0].filename(), "checkpoint_000000020.pt");
  EXPECT_EQ(load_checkpoint_file(checkpoints.path_for(20)).at("step").toInt(), 20);
  test::write_text(dir / "bad.pt", "not a pickle");
  EXPECT_THROW(load_checkpoint_file(dir / "bad.pt"), IoError);
}

TrainerOptions options_for(const test::TempDir& dir, const Config& config, const std::string& run) {
  TrainerOptions o;
  o.data_dir = dir / "data";
  o.run_dir = dir / run;
  o.config = config;
  o.command_line = {"wavenet", "train"};
  o.show_progress = false;
  return o;
}

std::vector<std::pair<std::string, torch::Tensor>> final_weights(const std::filesystem::path& run, bool ema) {
  const auto latest = CheckpointDirectory(run).latest();
  EXPECT_TRUE(latest.has_value());
  return read_checkpoint_weights(*latest, ema).weights;
}

void expect_same_weights(const std::vector<std::pair<std::string, torch::Tensor>>& a,
                         const std::vector<std::pair<std::string, torch::Tensor>>& b, double tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(torch::allclose(a[i].second, b[i].second, tolerance, tolerance)) << a[i].first;
  }
}

TEST(Trainer, ResumedRunMatchesUninterruptedRun) {
  test::TempDir dir;
  const Config config = test::small_training_config({"train.max_steps=6"});
  test::write_small_corpus(dir / "data", config);
  const TrainerResult straight = train(options_for(dir, config, "straight"));
  EXPECT_EQ(straight.last_step, 6);

  const Config half = test::small_training_config({"train.max_steps=3"});
  EXPECT_EQ(train(options_for(dir, half, "resumed")).last_step, 3);
  const TrainerResult rest = train(options_for(dir, config, "resumed"));
  EXPECT_EQ(rest.first_step, 3);
  EXPECT_EQ(rest.last_step, 6);
  expect_same_weights(final_weights(dir / "straight", false), final_weights(dir / "resumed", false), 0);
  expect_same_weights(final_weights(dir / "straight", true), final_weights(dir / "resumed", true), 0);
  // The checkpoint carries everything a fresh process needs.
  const auto ck = load_checkpoint_file(*CheckpointDirectory(dir / "resumed").latest());
  for (const char* key : {"model", "ema", "optimizer", "step", "rng", "loader_position", "config", "labels"}) {
    EXPECT_TRUE(ck.contains(key)) << key;
  }
  EXPECT_EQ(ck.at("loader_position").toInt(), 6);
}

TEST(Trainer, LossFallsOnLearnableData) {
  test::TempDir dir;
  const Config config = test::small_training_config({"train.max_steps=40", "train.log_every=10"});
  test::write_small_corpus(dir / "data", config);
  const TrainerResult r = train(options_for(dir, config, "run"));
  EXPECT_LT(r.last_loss, r.first_loss - 0.3) << "first " << r.first_loss << " last " << r.last_loss;
  EXPECT_TRUE(std::filesystem::exists(dir / "run/train.log"));
  EXPECT_TRUE(std::filesystem::exists(dir / "run/config.yaml"));
}

TEST(Trainer, EvaluationWritesValidationAudio) {
  test::TempDir dir;
  const Config config = test::small_training_config(
      {"train.max_steps=2", "train.eval_every=2", "train.eval_audio_seconds=0.02", "model.global_conditioning=true"});
  test::write_small_corpus(dir / "data", config);
  train(options_for(dir, config, "run"));
  const auto samples = dir / "run/samples";
  ASSERT_TRUE(std::filesystem::exists(samples));
  EXPECT_FALSE(std::filesystem::is_empty(samples));
}

// Samples so large that the Gaussian's squared error overflows: every step is non-finite.
TEST(Trainer, NonFiniteStepsAreSkippedThenStop) {
  test::TempDir dir;
  const Config config = test::small_training_config({"model.input=raw", "model.output=gaussian", "train.max_bad_steps=3"});
  test::write_small_corpus(dir / "data", config, 6, 1e30f, true);
  try {
    train(options_for(dir, config, "run"));
    FAIL() << "training on overflowing audio should stop";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("3 non-finite steps in a row"), std::string::npos) << e.what();
  }
}

// NaN in the data never reaches the model: the shard reader names the utterance.
TEST(Trainer, NaNAudioIsADataError) {
  test::TempDir dir;
  const Config config = test::small_training_config();
  test::write_small_corpus(dir / "data", config, 6, std::nanf(""), true);
  try {
    train(options_for(dir, config, "run"));
    FAIL() << "training on NaN audio should stop";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("holds a non-finite value"), std::string::npos) << e.what();
  }
}

TEST(Trainer, MismatchedShardsAreAUserError) {
  test::TempDir dir;
  test::write_small_corpus(dir / "data", test::small_training_config());
  const Config other = test::small_training_config({"audio.n_mels=16"});
  EXPECT_THROW(train(options_for(dir, other, "run")), UserError);
}

}  // namespace
}  // namespace wn
