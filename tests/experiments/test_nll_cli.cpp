// `wavenet nll` as a user meets it: each file's figure equals the library's likelihood of the
// same audio (float wavs, so the samples are exact), with the mel made from the audio or given
// as .npy; the CSV's columns; mismatched --mel counts and critics refused in one line.

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "dataio/mel.h"
#include "dataio/npy.h"
#include "nets/audio_likelihood.h"
#include "tests/dataio/audio_fixtures.h"
#include "tests/experiments/cli_fixtures.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

TEST(NllCli, EachFileEqualsTheLibrarysLikelihood) {
  test::TempDir dir;
  train_small_model(dir, {});
  std::vector<float> a = test::sine(300, 8000, 0.1), b = test::sine(700, 8000, 0.07);
  for (float& v : b) v *= 0.5f;
  write_wav(dir / "a.wav", a, 8000, WavEncoding::float32);
  write_wav(dir / "b.wav", b, 8000, WavEncoding::float32);
  ASSERT_EQ(run("nll --checkpoint " + (dir / "run").string() + " --wav " + (dir / "a.wav").string() + " " +
                    (dir / "b.wav").string() + " --csv " + (dir / "nll.csv").string(),
                dir / "nll.log"),
            0)
      << test::read_text(dir / "nll.log");

  const LoadedModel model = load_model(dir / "run", true);
  std::istringstream csv(test::read_text(dir / "nll.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "file,samples,nats_per_sample,bits_per_sample");
  for (const auto& [name, audio] : {std::pair{"a.wav", a}, std::pair{"b.wav", b}}) {
    ASSERT_TRUE(std::getline(csv, line));
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 4u) << line;
    EXPECT_EQ(fs::path(cells[0]).filename(), name);
    LikelihoodInput input;
    input.audio = audio;
    const AudioLikelihood expected = audio_likelihood(model, input);
    EXPECT_EQ(std::stoll(cells[1]), expected.samples);
    EXPECT_NEAR(std::stod(cells[2]), expected.nats_per_sample, 1e-5) << name;
    EXPECT_NEAR(std::stod(cells[3]), expected.nats_per_sample / std::log(2.0), 1e-5) << name;
  }

  // The mel given as .npy (here the recipe's own mel of a.wav): the same figure.
  const std::vector<float> mel = MelSpectrogram(model.config.audio).compressed(a);
  write_npy(dir / "a.npy", mel, {static_cast<int64_t>(mel.size() / 8), 8});
  ASSERT_EQ(run("nll --checkpoint " + (dir / "run").string() + " --wav " + (dir / "a.wav").string() + " --mel " +
                    (dir / "a.npy").string() + " --csv " + (dir / "mel.csv").string(),
                dir / "mel.log"),
            0)
      << test::read_text(dir / "mel.log");
  auto second_line = [](const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    std::getline(lines, line);
    std::getline(lines, line);
    return line;
  };
  EXPECT_EQ(second_line(test::read_text(dir / "mel.csv")), second_line(test::read_text(dir / "nll.csv")));

  EXPECT_EQ(run("nll --checkpoint " + (dir / "run").string() + " --wav " + (dir / "a.wav").string() + " " +
                    (dir / "b.wav").string() + " --mel " + (dir / "a.npy").string(),
                dir / "bad.log"),
            2);
  EXPECT_NE(test::read_text(dir / "bad.log").find("give one --mel per --wav"), std::string::npos) << test::read_text(dir / "bad.log");
}

}  // namespace
}  // namespace wn
