// The rating family: its correlation figures against hand-computed values, the network's
// averaging, and learning a known taste from the tone corpus end to end (preprocess with
// popularity targets, train, score clips in the target's units, dream from the lowest-rated clip).

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/loader.h"
#include "dataio/features.h"
#include "dataio/manifest.h"
#include "dataio/preprocess.h"
#include "experiments/rating_corpus.h"
#include "nets/critic_scoring.h"
#include "nets/dream/dream_files.h"
#include "nets/model_loading.h"
#include "nets/model_registry.h"
#include "nets/rating/correlation.h"
#include "nets/rating/rating_net.h"
#include "nets/training/trainer.h"
#include "tests/test_support.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

TEST(RatingCorrelation, PearsonAndSpearmanAgreeWithHandValues) {
  EXPECT_NEAR(pearson_correlation({1, 2, 3, 4}, {3, 5, 7, 9}), 1.0, 1e-12);
  EXPECT_NEAR(pearson_correlation({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
  // Monotone but not linear: Spearman sees a perfect order, Pearson does not.
  EXPECT_NEAR(spearman_correlation({1, 2, 3, 4}, {1, 10, 100, 1000}), 1.0, 1e-12);
  EXPECT_LT(pearson_correlation({1, 2, 3, 4}, {1, 10, 100, 1000}), 0.9);
  // Ties share their mean rank: ranks (0.5, 0.5, 2) against (0, 1, 2) give 1.5 / sqrt(1.5 * 2).
  EXPECT_NEAR(spearman_correlation({1, 1, 2}, {1, 2, 3}), 1.5 / std::sqrt(3.0), 1e-12);
  EXPECT_EQ(pearson_correlation({1, 1, 1}, {1, 2, 3}), 0.0) << "a constant side has no correlation";
  EXPECT_THROW(pearson_correlation({1, 2}, {1}), std::invalid_argument);
}

TEST(RatingNet, ScoresAreTheMeanOfPerFrameOutputsForAnyLength) {
  torch::manual_seed(3);
  RatingNetOptions options(8, 1);
  options.conv_width(3).conv_channels(6).dense_channels({5, 4});
  RatingNet net(options);
  EXPECT_EQ(net->dense->size(), 2u);
  for (const int64_t frames : {1, 2, 17}) {
    const torch::Tensor mel = torch::randn({2, frames, 8});
    const torch::Tensor per_frame = net->frame_outputs(mel);
    ASSERT_EQ(per_frame.sizes(), (std::vector<int64_t>{2, frames, 1}));
    EXPECT_TRUE(torch::allclose(net->forward(mel), per_frame.mean(1)));
  }
  // The convolution is centred: frame t's output reads frames t-1..t+1 only.
  const torch::Tensor mel = torch::randn({1, 9, 8});
  torch::Tensor changed = mel.clone();
  changed[0][8] += 1.0;
  const torch::Tensor a = net->frame_outputs(mel), b = net->frame_outputs(changed);
  EXPECT_TRUE(torch::equal(a.narrow(1, 0, 7), b.narrow(1, 0, 7)));
  EXPECT_FALSE(torch::equal(a.narrow(1, 7, 2), b.narrow(1, 7, 2)));
}

// The classes variant: cross-entropy over the labels, and clip scores that are the most probable
// label's probability (or an asked label's), equal to a softmax of the module's outputs.
TEST(RatingClasses, LossIsCrossEntropyAndScoresAreLabelProbabilities) {
  torch::manual_seed(4);
  LoadedModel loaded;
  loaded.config = resolve_config(std::nullopt, {"audio.n_mels=8", "model.type=rating", "model.objective=classes",
                                                "model.conv_channels=6", "model.dense_channels=5"});
  loaded.labels = {"piano", "flute", "sax"};
  loaded.model = build_model(loaded.config, 3);
  Model& model = *loaded.model;
  EXPECT_FALSE(model.data_needs().targets) << "a classifier learns labels, not targets";

  Batch batch;
  batch.mel = torch::randn({4, 6, 8});
  batch.label = torch::tensor({0, 2, 1, 2}, torch::kLong);
  const torch::Tensor logits = dynamic_cast<RatingNetImpl&>(model.module()).forward(batch.mel);
  EXPECT_NEAR(model.loss(batch, torch::kCPU).item<double>(),
              torch::nn::functional::cross_entropy(logits, batch.label).item<double>(), 1e-6);
  batch.label = torch::tensor({0, -1, 1, 2}, torch::kLong);
  EXPECT_THROW(model.loss(batch, torch::kCPU), UserError) << "an unlabelled utterance";

  std::vector<float> mel(6 * 8);
  for (std::size_t i = 0; i < mel.size(); ++i) mel[i] = std::sin(0.7f * static_cast<float>(i));
  torch::NoGradGuard no_grad;
  const torch::Tensor probabilities =
      torch::softmax(dynamic_cast<RatingNetImpl&>(model.module()).forward(torch::tensor(mel).reshape({1, 6, 8})), 1)[0];
  const CriticScore best = score_clip(loaded, mel);
  EXPECT_EQ(best.label, probabilities.argmax().item<int64_t>());
  EXPECT_NEAR(best.score, probabilities.max().item<double>(), 1e-6);
  const CriticScore flute = score_clip(loaded, mel, 1);
  EXPECT_EQ(flute.label, 1);
  EXPECT_NEAR(flute.score, probabilities[1].item<double>(), 1e-6);
  EXPECT_THROW(score_clip(loaded, mel, 3), UserError);
}

// The tone corpus's taste is brightness; its popularity target carries the like-rate noise and
// the play counts. 160 clips, 32 held out. With 32 pairs, the correlation of unrelated scores
// has a standard deviation of 1/sqrt(31) = 0.18, so 0.6 is more than three deviations above
// chance (p < 0.001); the corpus's own noise keeps the best possible correlation below 1 (the
// test prints it).
TEST(RatingLearning, LearnsTheToneCorpusTasteAndScoresInTargetUnits) {
  test::TempDir dir;
  cli::RatingCorpusOptions corpus;
  corpus.clips = 160;
  corpus.seconds = 0.6;
  corpus.sample_rate = 16000;
  const std::vector<cli::RatingClip> clips = cli::make_rating_corpus(dir / "corpus", corpus);
  const Config config = resolve_config(fs::path(WAVENET_SOURCE_CONFIG_DIR) / "rating.yaml",
                                       {"audio.sample_rate=16000", "audio.fmax=7600", "train.max_time_steps=4096",
                                        "train.max_steps=300", "train.eval_every=300", "train.checkpoint_every=300",
                                        "train.log_every=100", "train.device=cpu", "data.threads=2"});
  PreprocessOptions quiet;
  quiet.show_progress = false;
  const PreprocessResult pre = preprocess_corpus(dir / "corpus", dir / "shards", config, quiet);
  EXPECT_EQ(pre.failures, corpus.clips / corpus.bad_row_every) << "rows without likes are reported";
  const Manifest manifest = read_manifest(dir / "shards");

  TrainerOptions options;
  options.data_dir = dir / "shards";
  options.run_dir = dir / "run";
  options.config = config;
  options.show_progress = false;
  const TrainerResult trained = train(options);
  ASSERT_FALSE(trained.validation_figures.empty());
  double pearson = 0;
  for (const auto& [name, value] : trained.validation_figures.back().second) {
    if (name == "pearson") pearson = value;
  }
  std::printf("validation Pearson %.3f after %lld steps\n", pearson, static_cast<long long>(trained.last_step));
  EXPECT_GT(pearson, 0.6);

  // Scores in popularity units: every fifth clip's score (training and held-out alike) against
  // its popularity.
  const LoadedModel model = load_model(dir / "run", true);
  EXPECT_EQ(model.target.kind, "popularity");
  EXPECT_DOUBLE_EQ(model.target.mean, manifest.target.mean);
  const MelSpectrogram mel(model.config.audio);
  std::vector<double> scores, truth, brightness;
  std::vector<fs::path> files;
  for (std::size_t i = 0; i < clips.size(); i += 5) {
    if (clips[i].liked <= 0) continue;
    char name[32];
    std::snprintf(name, sizeof name, "clip_%04zu.wav", i);
    files.push_back(dir / "corpus/wavs" / name);
    scores.push_back(score_clip(model, extract_features(files.back(), model.config.audio, mel).mel).score);
    const double liked = static_cast<double>(clips[i].liked);
    truth.push_back(liked / static_cast<double>(clips[i].played) * std::log(liked));
    brightness.push_back(clips[i].brightness);
  }
  std::printf("scores vs popularity %.3f, hidden brightness vs popularity %.3f\n", pearson_correlation(scores, truth),
              pearson_correlation(brightness, truth));
  EXPECT_GT(pearson_correlation(scores, truth), 0.6);
  double mean_score = 0, mean_truth = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    mean_score += scores[i] / static_cast<double>(scores.size());
    mean_truth += truth[i] / static_cast<double>(truth.size());
  }
  EXPECT_NEAR(mean_score, mean_truth, 0.5 * manifest.target.std) << "scores come back in the target's units";

  // Dreaming from the clip the critic rates lowest, with the preset's dream: settings, raises
  // its score (as `rate` measures it) by more than a standard deviation of the corpus's
  // popularity, while the amplitude bound holds and every sample stays finite.
  const std::size_t lowest = static_cast<std::size_t>(std::min_element(scores.begin(), scores.end()) - scores.begin());
  const std::vector<float> start = extract_features(files[lowest], model.config.audio, mel).audio;
  const DreamSummary dream = dream_to_files(model, nullptr, model.config.dream, start, dir / "dream.wav", false);
  std::printf("dream from %s: score %.3f -> %.3f (popularity std %.3f)\n", files[lowest].filename().c_str(),
              dream.score_before, dream.score_after, manifest.target.std);
  // The file's mel was made before its audio was cut to whole frames: the last frame differs.
  EXPECT_NEAR(dream.score_before, scores[lowest], 0.1 * manifest.target.std);
  EXPECT_GT(dream.score_after, dream.score_before + manifest.target.std);
  float peak = 0;
  for (float v : dream.result.audio) {
    ASSERT_TRUE(std::isfinite(v));
    peak = std::max(peak, std::fabs(v));
  }
  EXPECT_LE(peak, model.config.dream.amplitude_bound);
}

}  // namespace
}  // namespace wn
