#include "experiments/demo_rating.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/atomic_file.h"
#include "core/log.h"
#include "dataio/features.h"
#include "dataio/preprocess.h"
#include "experiments/cli_common.h"
#include "experiments/rating_corpus.h"
#include "nets/critic_scoring.h"
#include "nets/dream/dream_files.h"
#include "nets/model_loading.h"
#include "nets/training/trainer.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

void stage(int n, const std::string& what) { WN_LOG(info) << "demo " << n << "/5: " << what; }

std::string fmt(double v) { return format_figure(v, 3); }

double figure(const NamedFigures& figures, const std::string& name) {
  for (const auto& [key, value] : figures) {
    if (key == name) return value;
  }
  return NAN;
}

struct ScoredClip {
  fs::path file;
  double score = 0.0;
};

// Every clip the critic can score, lowest score first.
std::vector<ScoredClip> score_corpus(const LoadedModel& model, const fs::path& wavs) {
  const MelSpectrogram mel(model.config.audio);
  std::vector<ScoredClip> scored;
  for (const auto& entry : fs::directory_iterator(wavs)) {
    if (entry.path().extension() != ".wav") continue;
    scored.push_back({entry.path(), score_clip(model, extract_features(entry.path(), model.config.audio, mel).mel).score});
  }
  std::sort(scored.begin(), scored.end(), [](const ScoredClip& a, const ScoredClip& b) {
    return a.score < b.score || (a.score == b.score && a.file < b.file);
  });
  return scored;
}

}  // namespace

void run_rating_demo(const RatingDemoOptions& options) {
  const Config& config = options.config;
  const fs::path& out = options.out;

  stage(1, "making " + std::to_string(options.clips) + " tones whose popularity follows a hidden taste (brightness)");
  RatingCorpusOptions corpus;
  corpus.clips = options.clips;
  corpus.sample_rate = config.audio.sample_rate;
  const std::vector<RatingClip> clips = make_rating_corpus(out / "corpus", corpus);

  stage(2, "preprocessing with popularity targets into HDF5 shards");
  const PreprocessResult pre = preprocess_corpus(out / "corpus", out / "shards", config);

  stage(3, "training the rating network for " + fmt(options.train_seconds) + " s (or " + std::to_string(config.train.max_steps) + " steps)");
  TrainerOptions training;
  training.data_dir = out / "shards";
  training.run_dir = out / "run";
  training.config = config;
  training.command_line = {"wavenet", "demo", "--corpus", "rating"};
  training.version = "wavenet demo";
  training.max_seconds = options.train_seconds;
  const TrainerResult trained = train(training);
  const LoadedModel model = load_model(out / "run", /*use_ema=*/true);
  const NamedFigures valid = validation_figures(*model.model, model.config, out / "shards", "cpu");

  stage(4, "scoring the corpus with the critic");
  const std::vector<ScoredClip> scored = score_corpus(model, out / "corpus/wavs");

  stage(5, "dreaming from quiet noise and from the lowest-rated clip");
  const auto samples = static_cast<int64_t>(options.dream_seconds * config.audio.sample_rate);
  std::vector<float> low = extract_features(scored.front().file, model.config.audio, MelSpectrogram(model.config.audio)).audio;
  low.resize(static_cast<std::size_t>(samples), 0.0f);
  const DreamSummary from_noise = dream_to_files(model, nullptr, model.config.dream, dream_noise_start(samples, model.config.dream),
                                                 out / "dreams/from_noise.wav", true);
  const DreamSummary from_low = dream_to_files(model, nullptr, model.config.dream, low, out / "dreams/from_low_rated.wav", true);

  std::ostringstream summary;
  summary << "\nwavenet demo summary (rating: tones with a hidden taste, " << config.model.type << ")\n"
          << "  corpus       " << clips.size() << " tones -> " << pre.utterances << " landed, " << pre.failures
          << " metadata rows reported and skipped (see " << (out / "shards/report.yaml").string() << ")\n"
          << "  training     steps " << trained.first_step << " -> " << trained.last_step << ", loss " << fmt(trained.first_loss)
          << " -> " << fmt(trained.last_loss) << "\n"
          << "  validation   Pearson " << fmt(figure(valid, "pearson")) << ", Spearman " << fmt(figure(valid, "spearman"))
          << ", MSE " << fmt(figure(valid, "mse")) << " (standardised target; EMA weights)\n"
          << "  corpus       scores " << fmt(scored.front().score) << " (lowest, " << scored.front().file.filename().string()
          << ") to " << fmt(scored.back().score) << " (highest), popularity units\n"
          << "  dreams       " << model.config.dream.steps << " steps of " << fmt(options.dream_seconds) << " s each:\n"
          << "    from noise      score " << fmt(from_noise.score_before) << " -> " << fmt(from_noise.score_after) << "\n"
          << "    from low-rated  score " << fmt(from_low.score_before) << " -> " << fmt(from_low.score_after) << "\n"
          << "  dream files  " << (out / "dreams").string()
          << "/ (wav, _mels.png before above after, _curves.png, _steps.csv)\n"
          << "  run dir      " << (out / "run").string() << "   (tensorboard --logdir " << (out / "run").string() << ")\n"
          << "  summary      " << (out / "summary.txt").string() << "\n";
  write_file_atomically(out / "summary.txt", summary.str());
  std::printf("%s", summary.str().c_str());
}

}  // namespace wn::cli
