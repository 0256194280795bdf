// `wavenet rate` as a user meets it: scores of a trained critic for files and directories, the
// CSV, a broken file named and skipped, and a model that is no critic refused in one line.

#include <gtest/gtest.h>

#include <sstream>

#include "dataio/features.h"
#include "nets/critic_scoring.h"
#include "tests/dataio/audio_fixtures.h"
#include "tests/experiments/cli_fixtures.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

Config small_rating_config(std::vector<std::string> overrides) {
  std::vector<std::string> base = {
      "audio.hop_length=16", "audio.n_mels=8", "audio.n_fft=64", "audio.win_length=64", "audio.fmin=0",
      "audio.fmax=4000", "audio.sample_rate=8000", "model.type=rating", "model.conv_channels=8",
      "model.dense_channels=4", "train.batch_size=2", "train.max_time_steps=128", "train.log_every=1",
      "train.eval_every=2", "train.lr_schedule=constant", "train.device=cpu", "data.normalize_mel=true"};
  base.insert(base.end(), overrides.begin(), overrides.end());
  return resolve_config(std::nullopt, base);
}

TEST(RateCli, ScoresFilesAndDirectoriesInTargetUnitsAndSkipsBrokenFiles) {
  test::TempDir dir;
  train_small_model(dir, {}, small_rating_config);
  test::write_wav16(dir / "clips/a.wav", test::sine(300, 8000, 0.3), 8000);
  test::write_wav16(dir / "clips/deeper/b.wav", test::sine(900, 8000, 0.5), 8000);
  test::write_text(dir / "clips/broken.wav", "not audio");
  test::write_wav16(dir / "c.wav", test::sine(500, 8000, 0.4), 8000);
  ASSERT_EQ(run("rate --checkpoint " + (dir / "run").string() + " " + (dir / "clips").string() + " " +
                    (dir / "c.wav").string() + " --csv " + (dir / "scores.csv").string(),
                dir / "rate.log"),
            0)
      << test::read_text(dir / "rate.log");
  const std::string log = test::read_text(dir / "rate.log");
  EXPECT_NE(log.find("skipped " + (dir / "clips/broken.wav").string()), std::string::npos) << log;

  // Each row equals the library's score of the same file.
  const LoadedModel model = load_model(dir / "run", true);
  const MelSpectrogram mel(model.config.audio);
  std::istringstream csv(test::read_text(dir / "scores.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "file,score");
  std::vector<std::string> files;
  while (std::getline(csv, line)) {
    const std::string file = line.substr(0, line.find(','));
    files.push_back(fs::path(file).filename().string());
    const double expected = score_clip(model, extract_features(file, model.config.audio, mel).mel).score;
    EXPECT_NEAR(std::stod(line.substr(line.find(',') + 1)), expected, 1e-5) << file;
  }
  EXPECT_EQ(files, (std::vector<std::string>{"a.wav", "b.wav", "c.wav"}));
}

TEST(RateCli, AModelThatIsNoCriticIsRefusedInOneLine) {
  test::TempDir dir;
  train_small_model(dir, {});
  test::write_wav16(dir / "a.wav", test::sine(300, 8000, 0.3), 8000);
  EXPECT_EQ(run("rate --checkpoint " + (dir / "run").string() + " " + (dir / "a.wav").string(), dir / "rate.log"), 2);
  EXPECT_NE(test::read_text(dir / "rate.log").find("is not a critic"), std::string::npos) << test::read_text(dir / "rate.log");
}

}  // namespace
}  // namespace wn
