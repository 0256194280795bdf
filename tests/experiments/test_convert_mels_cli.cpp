// `wavenet convert-mels` and `synth --mel-recipe` as a user meets them: Tacotron 2's mels of a
// clip converted to r9y9's come close to r9y9's own mels of it; a config with r9y9's filterbank is
// an exact target; a bad file is reported while the rest convert; synth converting on the fly
// gives the audio that synth of convert-mels' output gives; other frame rates are refused.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "dataio/mel.h"
#include "dataio/mel_recipe.h"
#include "dataio/npy.h"
#include "tests/dataio/audio_fixtures.h"
#include "tests/experiments/cli_fixtures.h"

namespace wn {
namespace {

// Two tones over quiet noise: every band above Tacotron 2's floor (1e-5), below which its mels
// hold no information to convert.
std::vector<float> voice_like(int seconds_tenths) {
  std::vector<float> x = test::sine(180, 22050, 0.1 * seconds_tenths, 0.3f);
  const std::vector<float> upper = test::sine(2300, 22050, 0.1 * seconds_tenths, 0.05f);
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += upper[i] + noise(rng);
  return x;
}

void write_mel(const std::filesystem::path& path, const MelRecipe& recipe, const std::vector<float>& audio) {
  const std::vector<float> mel = MelSpectrogram(recipe.audio).compressed(audio);
  write_npy(path, mel, {static_cast<int64_t>(mel.size()) / recipe.audio.n_mels, recipe.audio.n_mels});
}

TEST(ConvertMelsCli, ConvertsBetweenRecipesAndReportsTheFit) {
  test::TempDir dir;
  const std::vector<float> audio = voice_like(6);
  std::filesystem::create_directories(dir / "in");
  write_mel(dir / "in" / "a.npy", named_mel_recipe("tacotron2"), audio);
  write_npy(dir / "in" / "broken.npy", std::vector<float>(79, 0.0f), {79});
  EXPECT_EQ(run("convert-mels --from tacotron2 --to r9y9 " + (dir / "in").string() + " --out " + (dir / "out").string(), dir / "log"), 2);
  const std::string log = test::read_text(dir / "log");
  EXPECT_NE(log.find("a.npy: 52 frames, fit error"), std::string::npos) << log;
  EXPECT_NE(log.find("broken.npy: not a mel of 80 bands"), std::string::npos) << log;
  EXPECT_NE(log.find("1 of 2 inputs failed"), std::string::npos) << log;

  const NpyArray converted = read_npy(dir / "out" / "a.npy");
  const std::vector<float> truth = MelSpectrogram(named_mel_recipe("r9y9").audio).compressed(audio);
  ASSERT_EQ(converted.data.size(), truth.size());
  double sum = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) sum += std::fabs(static_cast<double>(converted.data[i]) - truth[i]);
  EXPECT_LT(sum / static_cast<double>(truth.size()), 0.1) << "mean |converted - r9y9's own| in log10 units";

  // A config with r9y9's filterbank but our floor: only the floor changes, exactly.
  test::write_text(dir / "ours.yaml", "audio:\n  log_floor: 1.0e-5\n");
  write_mel(dir / "r9y9.npy", named_mel_recipe("r9y9"), audio);
  ASSERT_EQ(run("convert-mels --from r9y9 --to " + (dir / "ours.yaml").string() + " " + (dir / "r9y9.npy").string() + " --out " +
                    (dir / "exact").string(),
                dir / "exact.log"),
            0)
      << test::read_text(dir / "exact.log");
  EXPECT_NE(test::read_text(dir / "exact.log").find("the filterbanks agree: exact"), std::string::npos);
  AudioConfig ours;
  const std::vector<float> expected = MelSpectrogram(ours).compressed(audio);
  const NpyArray exact = read_npy(dir / "exact" / "r9y9.npy");
  ASSERT_EQ(exact.data.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_NEAR(exact.data[i], expected[i], 1e-5) << i;

  // And from that config to Tacotron 2's recipe: a config is a source too.
  ASSERT_EQ(run("convert-mels --from " + (dir / "ours.yaml").string() + " --to tacotron2 " + (dir / "exact" / "r9y9.npy").string() +
                    " --out " + (dir / "t2").string(),
                dir / "t2.log"),
            0)
      << test::read_text(dir / "t2.log");
  EXPECT_NE(test::read_text(dir / "t2.log").find("r9y9.npy: 52 frames, fit error"), std::string::npos) << test::read_text(dir / "t2.log");
}

TEST(ConvertMelsCli, SynthConvertsOnTheFlyAsConvertMelsDoes) {
  test::TempDir dir;
  train_small_model(dir, {"audio.sample_rate=22050", "audio.hop_length=256", "audio.n_mels=80", "audio.n_fft=1024",
                          "audio.win_length=1024", "audio.fmin=125", "audio.fmax=7600", "model.upsample_scales=4,4,4,4",
                          "train.max_time_steps=512"});
  write_mel(dir / "t2.npy", named_mel_recipe("tacotron2"), voice_like(3));
  const std::string run_dir = (dir / "run").string();
  ASSERT_EQ(run("synth --checkpoint " + run_dir + " --mel " + (dir / "t2.npy").string() + " --mel-recipe tacotron2 --float --out " +
                    (dir / "fly.wav").string(),
                dir / "fly.log"),
            0)
      << test::read_text(dir / "fly.log");
  EXPECT_NE(test::read_text(dir / "fly.log").find("t2.npy: tacotron2 mels converted to the synthesis recipe (fit error"),
            std::string::npos)
      << test::read_text(dir / "fly.log");
  ASSERT_EQ(run("convert-mels --from tacotron2 --to " + run_dir + " " + (dir / "t2.npy").string() + " --out " + (dir / "conv").string(),
                dir / "conv.log"),
            0)
      << test::read_text(dir / "conv.log");
  ASSERT_EQ(run("synth --checkpoint " + run_dir + " --mel " + (dir / "conv" / "t2.npy").string() + " --float --out " +
                    (dir / "after.wav").string(),
                dir / "after.log"),
            0)
      << test::read_text(dir / "after.log");
  const std::vector<float> fly = wav_samples(dir / "fly.wav"), after = wav_samples(dir / "after.wav");
  ASSERT_FALSE(fly.empty());
  EXPECT_EQ(fly, after);

  // The small default model runs at 8 kHz: another frame rate than Tacotron 2's.
  test::TempDir other;
  train_small_model(other, {});
  EXPECT_EQ(run("convert-mels --from tacotron2 --to " + (other / "run").string() + " " + (dir / "t2.npy").string() + " --out " +
                    (other / "conv").string(),
                other / "log"),
            2);
  EXPECT_NE(test::read_text(other / "log").find("have different frame rates; make the mels again from the audio"), std::string::npos)
      << test::read_text(other / "log");
}

}  // namespace
}  // namespace wn
