// Training pieces: LR schedules, Adam against LibTorch's, EMA, checkpoints, exact resume, and
// the non-finite step guard.

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/tensorboard_reader.h"
#include "nets/model_loading.h"
#include "nets/model_registry.h"
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

  const std::string intact = test::read_text(dir / "c.pt");
  const float value = 1234.5f;
  const std::size_t at = intact.find(std::string(reinterpret_cast<const char*>(&value), 4));
  ASSERT_NE(at, std::string::npos);
  std::string damaged = intact;
  damaged[at + 4 * 10] ^= 0x01;  // the 11th value's lowest mantissa bit
  const auto load_error = [&](const std::string& bytes) {
    test::write_text(dir / "c.pt", bytes);
    return test::error_message<IoError>([&] { load_checkpoint_file(dir / "c.pt"); });
  };
  // First line of defence: the archive's CRC-32 of the record.
  EXPECT_NE(load_error(damaged).find("does not match its CRC-32"), std::string::npos) << load_error(damaged);

  // Second: the archive rewritten with fresh CRCs (as a re-zipping tool would) still does not
  // pass the per-tensor checksums written at save time.
  const uint32_t old_crc = static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(intact.data() + at), 64 * 4));
  const uint32_t new_crc = static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(damaged.data() + at), 64 * 4));
  const std::size_t crc_at = damaged.rfind(std::string(reinterpret_cast<const char*>(&old_crc), 4));  // the central directory's copy
  ASSERT_NE(crc_at, std::string::npos);
  std::memcpy(damaged.data() + crc_at, &new_crc, 4);
  EXPECT_NE(load_error(damaged).find("c.pt: 'model/w' does not match its checksum"), std::string::npos)
      << load_error(damaged);

  const std::vector<char> old_style = torch::pickle_save(c10::IValue(d));
  test::write_text(dir / "old.pt", std::string(old_style.begin(), old_style.end()));
  EXPECT_EQ(load_checkpoint_file(dir / "old.pt").at("step").toInt(), 3);
}

// Entries of the wrong type, a foreign tensor layout or weights that diverged are refused by name,
// never LibTorch's internal error or a model that outputs NaN.
TEST(Checkpoint, LoadersRefuseWrongEntriesAndNonFiniteWeights) {
  test::TempDir dir;
  const Config config = test::small_training_config();
  std::unique_ptr<Model> model = build_model(config, 0);
  const auto parameters = named_state(model->module());
  Adam adam(parameters, AdamSettings{});
  WeightAverage ema(parameters, 0.9);
  TrainState state;
  state.config_yaml = config_to_yaml(config);
  save_training_checkpoint(dir / "good.pt", model->module(), adam, ema, state);
  EXPECT_NO_THROW(load_model(dir / "good.pt", true));

  const c10::impl::GenericDict good = load_checkpoint_file(dir / "good.pt");
  const auto error_with = [&](const std::string& key, const c10::IValue& value, bool use_ema) {
    c10::impl::GenericDict edited = good.copy();
    edited.insert_or_assign(key, value);
    save_checkpoint_file(dir / "edited.pt", edited);
    return test::error_message<UserError>([&] { load_model(dir / "edited.pt", use_ema); });
  };
  EXPECT_NE(error_with("step", std::string("ten"), true).find("edited.pt: checkpoint entry 'step' is not an integer"),
            std::string::npos);
  EXPECT_NE(error_with("model", int64_t{3}, false).find("'model' is not a dict of tensors"), std::string::npos);
  c10::impl::GenericDict diverged = good.at("ema").toGenericDict().copy();
  const std::string first = diverged.begin()->key().toStringRef();
  diverged.insert_or_assign(first, torch::full_like(diverged.begin()->value().toTensor(), NAN));
  EXPECT_NE(error_with("ema", diverged, true).find("'" + first + "' holds NaN or Inf"), std::string::npos)
      << error_with("ema", diverged, true);
  EXPECT_NE(error_with("mel_mean", torch::zeros({3}, torch::kDouble), true).find("mel statistics for 3 bins"),
            std::string::npos);
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
  test::write_text(dir / "checkpoint_000000120.pt.tmp.4242.0", "half a checkpoint of a killed run");
  EXPECT_EQ(checkpoints.latest()->filename(), "checkpoint_000000100.pt");
  EXPECT_EQ(checkpoints.remove_stale_temporaries(), 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "checkpoint_000000120.pt.tmp.4242.0"));
  EXPECT_TRUE(std::filesystem::exists(dir / "notes.pt"));
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

// Fine-tuning: a fresh run started from another run's checkpoint (--init) begins at step 0 from
// its EMA weights; the run goes on from its own checkpoints once it has some; a checkpoint of
// another shape or family is refused, naming the weight or the families.
TEST(Trainer, InitStartsAFreshRunFromAnotherRunsWeights) {
  test::TempDir dir;
  const Config config = test::small_training_config({"train.max_steps=6"});
  test::write_small_corpus(dir / "data", config);
  train(options_for(dir, config, "source"));

  // One step at a learning rate too small to move anything: the run's raw weights after it are
  // the source's EMA weights.
  const Config still = test::small_training_config({"train.max_steps=1", "train.checkpoint_every=1", "train.lr=1e-12"});
  TrainerOptions tuned = options_for(dir, still, "tuned");
  tuned.init_from = dir / "source";
  const TrainerResult r = train(tuned);
  EXPECT_EQ(r.first_step, 0);
  EXPECT_EQ(r.last_step, 1);
  expect_same_weights(final_weights(dir / "tuned", false), final_weights(dir / "source", true), 1e-9);
  // Without --init the same run starts elsewhere: the check above is not trivial.
  train(options_for(dir, still, "fresh"));
  const auto fresh = final_weights(dir / "fresh", false), source = final_weights(dir / "source", true);
  double moved = 0;
  for (std::size_t i = 0; i < fresh.size(); ++i) moved = std::max(moved, (fresh[i].second - source[i].second).abs().max().item<double>());
  EXPECT_GT(moved, 1e-3);

  // Resuming ignores --init: the run continues from its own step 1.
  const TrainerResult resumed = train([&] {
    TrainerOptions o = options_for(dir, test::small_training_config({"train.max_steps=2"}), "tuned");
    o.init_from = dir / "fresh";
    return o;
  }());
  EXPECT_EQ(resumed.first_step, 1);

  auto refused = [&](const Config& other, const std::string& run) {
    TrainerOptions o = options_for(dir, other, run);
    o.init_from = dir / "source";
    try {
      train(o);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string wider = refused(test::small_training_config({"model.residual_channels=16"}), "wider");
  EXPECT_NE(wider.find("has shape"), std::string::npos) << wider;
  const std::string family = refused(test::small_samplernn_config(), "samplernn");
  EXPECT_NE(family.find("a model.type=wavenet checkpoint cannot start a model.type=samplernn run"), std::string::npos) << family;
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
  // Quality beside the loss: the sample's metrics against its reference, logged (train.eval_metrics).
  const std::string log = test::read_text(dir / "run/train.log");
  EXPECT_NE(log.find("step 2: copy-synthesis log_mel_distance "), std::string::npos) << log;
  EXPECT_NE(log.find(" mcd_db "), std::string::npos) << log;
  // TensorBoard shows the validation mel above the generated audio's, as a picture.
  const RunEvents events = read_run_events(dir / "run");
  ASSERT_EQ(events.images.count("valid/mel"), 1u);
  const ImageRecord& figure = events.images.at("valid/mel").front();
  EXPECT_EQ(figure.step, 2);
  EXPECT_EQ(test::png_size(figure.encoded), std::make_pair(figure.width, figure.height));
  EXPECT_EQ(figure.width, 900);
  // Switched off, the sample is still written but not scored.
  const Config quiet = test::small_training_config({"train.max_steps=2", "train.eval_every=2", "train.eval_audio_seconds=0.02",
                                                    "model.global_conditioning=true", "train.eval_metrics=false"});
  train(options_for(dir, quiet, "quiet"));
  const std::string quiet_log = test::read_text(dir / "quiet/train.log");
  EXPECT_NE(quiet_log.find("validation loss"), std::string::npos) << quiet_log;
  EXPECT_EQ(quiet_log.find("copy-synthesis"), std::string::npos) << quiet_log;
}

// Samples so large that the Gaussian's squared error overflows: every step is non-finite.
TEST(Trainer, NonFiniteStepsAreSkippedThenStop) {
  test::TempDir dir;
  const Config config = test::small_training_config({"model.input=raw", "model.output=gaussian", "train.max_bad_steps=3"});
  test::write_small_corpus(dir / "data", config, 6, 1e30f, true);
  const std::string message = test::error_message<UserError>([&] { train(options_for(dir, config, "run")); });
  EXPECT_NE(message.find("3 non-finite steps in a row"), std::string::npos) << message;
}

// NaN in the data never reaches the model: the shard reader names the utterance.
TEST(Trainer, NaNAudioIsADataError) {
  test::TempDir dir;
  const Config config = test::small_training_config();
  test::write_small_corpus(dir / "data", config, 6, std::nanf(""), true);
  const std::string message = test::error_message<UserError>([&] { train(options_for(dir, config, "run")); });
  EXPECT_NE(message.find("holds a non-finite value"), std::string::npos) << message;
}

TEST(Trainer, MismatchedShardsAreAUserError) {
  test::TempDir dir;
  test::write_small_corpus(dir / "data", test::small_training_config());
  const Config other = test::small_training_config({"audio.n_mels=16"});
  EXPECT_THROW(train(options_for(dir, other, "run")), UserError);
}

}  // namespace
}  // namespace wn
