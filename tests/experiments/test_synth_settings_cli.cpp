// `wavenet synth` settings: every engine.* key acts (from the checkpoint, then key=value
// arguments, then flags), folding and streaming from the command line.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "dataio/npy.h"
#include "tests/experiments/cli_fixtures.h"

namespace wn {
namespace {

class SynthSettings : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    config_ = new Config(train_small_model(*dir_, {}));
    std::vector<float> mel(static_cast<std::size_t>(kFrames * config_->audio.n_mels));
    for (std::size_t i = 0; i < mel.size(); ++i) mel[i] = -3.0f + 0.5f * std::sin(0.37 * static_cast<double>(i));
    write_npy(path("mel.npy"), mel, {kFrames, config_->audio.n_mels});
    std::ofstream(path("mel.f32"), std::ios::binary).write(reinterpret_cast<const char*>(mel.data()), mel.size() * sizeof(float));
  }
  static void TearDownTestSuite() {
    delete config_;
    delete dir_;
  }
  static std::filesystem::path path(const std::string& name) { return dir_->path() / name; }

  // Synthesises mel.npy with the extra arguments into NAME.wav (float); returns its samples and
  // leaves the log in NAME.log.
  static std::vector<float> synth(const std::string& name, const std::string& extra) {
    const std::string args = "synth --float --checkpoint " + path("run").string() + " --mel " + path("mel.npy").string() +
                             " --out " + path(name + ".wav").string() + " " + extra;
    EXPECT_EQ(run(args, path(name + ".log")), 0) << test::read_text(path(name + ".log"));
    return wav_samples(path(name + ".wav"));
  }
  static std::string log(const std::string& name) { return test::read_text(path(name + ".log")); }

  static constexpr int kFrames = 24;
  static test::TempDir* dir_;
  static Config* config_;
};

test::TempDir* SynthSettings::dir_ = nullptr;
Config* SynthSettings::config_ = nullptr;

TEST_F(SynthSettings, EveryEngineKeyActs) {
  const std::vector<float> base = synth("base", "");
  EXPECT_NE(log("base").find("threads, batch 16, fold 1, seed 1234, temperature 1, EMA weights"), std::string::npos) << log("base");
  // engine.seed: another seed is other audio, the same as --seed; a flag beats the key.
  const std::vector<float> seeded = synth("seed_key", "engine.seed=7");
  EXPECT_NE(seeded, base);
  EXPECT_EQ(synth("seed_flag", "--seed 7"), seeded);
  EXPECT_EQ(synth("seed_both", "--seed 7 engine.seed=9"), seeded);
  // engine.temperature
  EXPECT_NE(synth("temperature", "engine.temperature=0.5"), base);
  EXPECT_NE(log("temperature").find("temperature 0.5"), std::string::npos) << log("temperature");
  // engine.precision
  synth("precision", "engine.precision=bf16");
  EXPECT_NE(log("precision").find(", bf16, "), std::string::npos) << log("precision");
  // engine.threads (and the one-thread engine's audio is its own: the skip sum's order differs)
  synth("threads", "engine.threads=1");
  EXPECT_NE(log("threads").find(", 1 threads,"), std::string::npos) << log("threads");
  // engine.batch: the grouping changes, the audio does not (batch invariance)
  EXPECT_EQ(synth("batch", "engine.batch=3"), base);
  EXPECT_NE(log("batch").find("batch 3,"), std::string::npos) << log("batch");
  // engine.use_ema: the raw weights, as --raw-weights
  const std::vector<float> raw = synth("raw_key", "engine.use_ema=false");
  EXPECT_NE(raw, base);
  EXPECT_EQ(synth("raw_flag", "--raw-weights"), raw);
  EXPECT_NE(log("raw_key").find("raw weights"), std::string::npos);
  // engine.fold and engine.fold_overlap_frames: other audio of the same length
  const std::vector<float> folded = synth("fold", "engine.fold=3");
  EXPECT_EQ(folded.size(), base.size());
  EXPECT_NE(folded, base);
  EXPECT_NE(log("fold").find("fold 3,"), std::string::npos) << log("fold");
  EXPECT_NE(synth("overlap", "engine.fold=3 engine.fold_overlap_frames=6"), folded);
  EXPECT_EQ(synth("fold_flag", "--fold 3"), folded);
  synth("fold_auto", "--fold auto");
  EXPECT_NE(log("fold_auto").find("fold auto"), std::string::npos) << log("fold_auto");
}

// A mel made with another recipe draws a one-line warning naming the cause; the training
// recipe's mels (mean -2, spread 1 per band here, like mel.npy) draw none.
TEST_F(SynthSettings, MelsOfAnotherRecipeAreNamedInAWarning) {
  synth("own", "");
  EXPECT_EQ(log("own").find("warning"), std::string::npos) << log("own");
  std::vector<float> natural(static_cast<std::size_t>(kFrames * config_->audio.n_mels));
  for (std::size_t i = 0; i < natural.size(); ++i) {
    natural[i] = static_cast<float>(std::log(10.0) * (-2.0 + 0.8 * std::sin(0.37 * static_cast<double>(i))));
  }
  write_npy(path("natural.npy"), natural, {kFrames, config_->audio.n_mels});
  ASSERT_EQ(run("synth --checkpoint " + path("run").string() + " --mel " + path("natural.npy").string() + " --out " +
                    path("natural.wav").string(),
                path("natural.log")),
            0);
  EXPECT_NE(log("natural").find("wavenet: warning: " + path("natural.npy").string() + ": mels look like natural-log values"),
            std::string::npos)
      << log("natural");
}

TEST_F(SynthSettings, OnlyEngineKeysChangeACheckpoint) {
  EXPECT_EQ(run("synth --checkpoint " + path("run").string() + " --mel " + path("mel.npy").string() + " --out " +
                    path("x.wav").string() + " model.layers=3",
                path("model_key.log")),
            2);
  EXPECT_NE(log("model_key").find("model.layers=3: with --checkpoint only engine.* settings can change"), std::string::npos)
      << log("model_key");
  EXPECT_NE(run("synth --checkpoint " + path("run").string() + " --mel " + path("mel.npy").string() + " --out " +
                    path("x.wav").string() + " --fold 0.5",
                path("fold_bad.log")),
            0);
  EXPECT_NE(log("fold_bad").find("--fold 0.5: give auto or a number of pieces"), std::string::npos) << log("fold_bad");
}

// Frames on standard input, samples on standard output: the whole-utterance audio bit for bit.
TEST_F(SynthSettings, StreamEqualsTheWholeUtterance) {
  const std::vector<float> whole = synth("whole", "--threads 2");
  const std::string stream = std::string("'") + WAVENET_EXE + "' synth --stream --threads 2 --checkpoint " + path("run").string() +
                             " --out - < '" + path("mel.f32").string() + "' > '" + path("streamed.f32").string() + "' 2> '" +
                             path("stream.log").string() + "'";
  ASSERT_EQ(std::system(stream.c_str()), 0) << log("stream");
  std::ifstream in(path("streamed.f32"), std::ios::binary);
  std::vector<float> streamed(whole.size() + 1);
  in.read(reinterpret_cast<char*>(streamed.data()), static_cast<std::streamsize>(streamed.size() * sizeof(float)));
  streamed.resize(static_cast<std::size_t>(in.gcount()) / sizeof(float));
  EXPECT_EQ(streamed, whole);
  EXPECT_NE(log("stream").find("a sample is final"), std::string::npos) << log("stream");
  // Into a wav, and a cut-off last frame: the whole frames are written, then the error.
  const std::string cut = "head -c " + std::to_string((kFrames - 1) * config_->audio.n_mels * 4 + 10) + " '" +
                          path("mel.f32").string() + "' | '" + WAVENET_EXE + "' synth --stream --float --threads 2 --checkpoint " +
                          path("run").string() + " --out '" + path("cut.wav").string() + "' 2> '" + path("cut.log").string() + "'";
  EXPECT_NE(std::system(cut.c_str()), 0);
  EXPECT_NE(log("cut").find("standard input ended inside a frame: 10 bytes after 23 frames"), std::string::npos) << log("cut");
  EXPECT_EQ(wav_samples(path("cut.wav")).size(), static_cast<std::size_t>((kFrames - 1) * config_->audio.hop_length));
}

}  // namespace
}  // namespace wn
