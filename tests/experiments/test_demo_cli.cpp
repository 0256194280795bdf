// `wavenet demo` end to end with a shortened budget: a few sentences, seconds of training.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "tests/test_support.h"

namespace wn {
namespace {

TEST(DemoCli, RunsEndToEndWithAShortBudget) {
  test::TempDir dir;
  const auto out = dir / "demo";
  const std::string command = std::string("'") + WAVENET_EXE + "' demo --out '" + out.string() +
                              "' --train-seconds 5 --sentences 2 --voices 2 --synth-seconds 0.2 --utterances 2 > '" +
                              (dir / "log").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_text(dir / "log");
  // A wall-clock budget, not max_steps, ends the demo's training: the bar says what is left of it.
  EXPECT_NE(test::read_text(dir / "log").find("budget left"), std::string::npos) << test::read_text(dir / "log");
  const std::string summary = test::read_text(out / "summary.txt");
  for (const char* row : {"wavenet demo summary", "\n  wavenet          ", "Griffin-Lim ", "engine bench", "training     steps"}) {
    EXPECT_NE(summary.find(row), std::string::npos) << row << "\n" << summary;
  }
  for (const char* kind : {"reference", "wavenet", "griffin_lim", "plots"}) {
    EXPECT_FALSE(std::filesystem::is_empty(out / "samples" / kind)) << kind;
  }
  EXPECT_TRUE(std::filesystem::exists(out / "shards/manifest.yaml"));
  EXPECT_TRUE(std::filesystem::exists(out / "run/config.yaml"));
  // The run's curves and the benchmark, drawn.
  EXPECT_EQ(test::png_size(test::read_text(out / "run/curves.png")).first, 900);
  EXPECT_EQ(test::png_size(test::read_text(out / "bench.png")), std::make_pair(900, 500));
}

// The music demo: FluidSynth improvisations, SampleRNN, primed continuations and clips from
// silence, the validation loss before and after.
TEST(DemoCli, MusicCorpusTrainsSampleRnnAndContinuesRecordings) {
  test::TempDir dir;
  const auto out = dir / "music";
  const std::string command = std::string("'") + WAVENET_EXE + "' demo --corpus music --out '" + out.string() +
                              "' --train-seconds 8 --takes 4 --instruments 3 --take-seconds 2 --prime-seconds 0.5"
                              " --synth-seconds 0.25 --utterances 1 > '" + (dir / "log").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_text(dir / "log");
  const std::string summary = test::read_text(out / "summary.txt");
  for (const char* row : {"wavenet demo summary (music, samplernn)", "validation   loss", "continuations of", "engine bench"}) {
    EXPECT_NE(summary.find(row), std::string::npos) << row << "\n" << summary;
  }
  for (const char* kind : {"primed", "unconditional", "plots"}) {
    EXPECT_FALSE(std::filesystem::is_empty(out / "samples" / kind)) << kind;
  }
  for (const char* instrument : {"piano", "flute", "guitar"}) {
    EXPECT_TRUE(std::filesystem::exists(out / "corpus" / instrument)) << instrument;
  }
  EXPECT_NE(test::read_text(out / "run/config.yaml").find("type: \"samplernn\""), std::string::npos);
}

}  // namespace
}  // namespace wn
