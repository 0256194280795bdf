// `wavenet rate` and `wavenet dream` as a user meets them: scores of a trained critic for files
// and directories, the CSV, a broken file named and skipped, a model that is no critic refused in
// one line; dreams from noise and from a file with their pictures, curves and steps, and
// settings outside dream.* refused.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "dataio/audio_io.h"
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

TEST(DreamCli, DreamsFromNoiseAndFromAFileAndWritesItsFiles) {
  test::TempDir dir;
  train_small_model(dir, {}, small_rating_config);
  test::write_wav16(dir / "start.wav", test::sine(300, 8000, 0.2, 0.9f), 8000);
  const std::string base = "dream --checkpoint " + (dir / "run").string() + " --seconds 0.5 --steps 6 ";
  for (const std::string& init : std::vector<std::string>{"noise", (dir / "start.wav").string()}) {
    SCOPED_TRACE(init);
    const fs::path out = dir / "dreams" / (init == "noise" ? "noise.wav" : "file.wav");
    ASSERT_EQ(run(base + "--init " + init + " --out " + out.string() + " dream.amplitude_bound=0.5", dir / "dream.log"), 0)
        << test::read_text(dir / "dream.log");
    const std::string log = test::read_text(dir / "dream.log");
    EXPECT_NE(log.find("score "), std::string::npos) << log;
    EXPECT_NE(log.find("after 6 steps"), std::string::npos) << log;
    const MonoAudio audio = read_audio_mono(out);
    EXPECT_EQ(audio.sample_rate, 8000);
    EXPECT_EQ(audio.samples.size(), 4000u) << "--seconds 0.5, the file padded with silence";
    float peak = 0;
    for (float v : audio.samples) peak = std::max(peak, std::fabs(v));
    EXPECT_LE(peak, 0.5f + 1.0f / 32768) << "dream.amplitude_bound (and 16-bit rounding)";
    const std::string stem = (out.parent_path() / out.stem()).string();
    for (const char* suffix : {"_mels.png", "_curves.png", "_steps.csv"}) EXPECT_TRUE(fs::exists(stem + suffix)) << suffix;
  }
  EXPECT_EQ(run(base + "--out " + (dir / "x.wav").string() + " audio.n_mels=4", dir / "bad.log"), 2);
  EXPECT_NE(test::read_text(dir / "bad.log").find("dream takes dream.* settings only"), std::string::npos);
  EXPECT_EQ(run(base + "--out " + (dir / "x.wav").string() + " --init " + (dir / "missing.wav").string(), dir / "bad.log"), 2);
  EXPECT_NE(test::read_text(dir / "bad.log").find("missing.wav"), std::string::npos) << test::read_text(dir / "bad.log");
}

}  // namespace
}  // namespace wn
