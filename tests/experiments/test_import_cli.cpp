// `wavenet import r9y9` as a user meets it: an r9y9 checkpoint (made by the reimplementation in
// tests/nets/interop) becomes a checkpoint that `synth` synthesises from, whose `nll` of the test
// clip equals the reimplementation's loss and that `train --init` fine-tunes with the config
// written beside it; a missing file is one line and exit 2.

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "dataio/npy.h"
#include "nets/model_loading.h"
#include "tests/experiments/cli_fixtures.h"
#include "tests/nets/interop/r9y9_fixture.h"

namespace wn {
namespace {

TEST(ImportCli, AnR9y9ModelSynthesisesAndItsNllIsTheReimplementationsLoss) {
  test::TempDir dir;
  test::R9y9Fixture fixture;
  ASSERT_NO_FATAL_FAILURE(test::make_r9y9_fixture("mol", dir / "r9y9", fixture));
  const std::string imported = (dir / "imported.pt").string();
  ASSERT_EQ(run("import r9y9 " + fixture.checkpoint().string() + " --hparams " + fixture.hparams().string() + " --out " + imported,
                dir / "import.log"),
            0)
      << test::read_text(dir / "import.log");
  const std::string log = test::read_text(dir / "import.log");
  EXPECT_NE(log.find("r9y9 step 123456"), std::string::npos) << log;
  EXPECT_NE(log.find("left out conv_layers.5.conv1x1_out.weight_v"), std::string::npos) << log;

  // synth from the clip's mel without its context rows (synth adds the model's silence context).
  const NpyArray mel = fixture.array("mel");
  const int64_t n_mels = mel.shape[1], frames = mel.shape[0] - 4, hop = 256;
  std::vector<float> rows(mel.data.begin() + 2 * n_mels, mel.data.end() - 2 * n_mels);
  write_npy(dir / "mel.npy", rows, {frames, n_mels});
  ASSERT_EQ(run("synth --checkpoint " + imported + " --mel " + (dir / "mel.npy").string() + " --out " + (dir / "out.wav").string() +
                    " --float",
                dir / "synth.log"),
            0)
      << test::read_text(dir / "synth.log");
  const std::vector<float> audio = wav_samples(dir / "out.wav");
  ASSERT_EQ(static_cast<int64_t>(audio.size()), frames * hop);
  double energy = 0;
  for (float v : audio) {
    ASSERT_TRUE(std::isfinite(v));
    energy += static_cast<double>(v) * v;
  }
  EXPECT_GT(energy, 0.0);

  // nll of the plain clip with its mel (context rows included): the reimplementation's loss.
  write_wav(dir / "clip.wav", fixture.array("wav").data, 22050, WavEncoding::float32);
  write_npy(dir / "context.npy", mel.data, mel.shape);
  ASSERT_EQ(run("nll --checkpoint " + imported + " --wav " + (dir / "clip.wav").string() + " --mel " + (dir / "context.npy").string() +
                    " --csv " + (dir / "nll.csv").string(),
                dir / "nll.log"),
            0)
      << test::read_text(dir / "nll.log");
  std::istringstream csv(test::read_text(dir / "nll.csv"));
  std::string line;
  std::getline(csv, line);
  ASSERT_TRUE(std::getline(csv, line));
  std::vector<std::string> cells;
  std::istringstream fields(line);
  for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
  ASSERT_EQ(cells.size(), 4u) << line;
  const double reference = fixture.array("nll").data[0];
  EXPECT_NEAR(std::stod(cells[2]), reference, 1e-5 * std::abs(reference)) << line;

  // Its config lands beside it; a fresh run fine-tunes from its weights (train --init).
  const std::string config_file = (dir / "imported.yaml").string();
  const Config config = resolve_config(std::filesystem::path(config_file), {});
  EXPECT_EQ(config_to_yaml(config), config_to_yaml(load_model(imported, true).config));
  test::write_small_corpus(dir / "data", config, 3);
  ASSERT_EQ(run("--log-level warn train --data " + (dir / "data").string() + " --run-dir " + (dir / "run").string() + " --config " +
                    config_file + " --init " + imported + " train.max_steps=2 train.checkpoint_every=2 train.max_time_steps=2560",
                dir / "train.log"),
            0)
      << test::read_text(dir / "train.log");
  EXPECT_EQ(load_model(dir / "run", true).step, 2);

  const std::string absent = (dir / "absent.pth").string();
  EXPECT_EQ(run("import r9y9 " + absent + " --hparams " + fixture.hparams().string() + " --out " + imported, dir / "absent.log"), 2);
  EXPECT_EQ(test::read_text(dir / "absent.log"), "wavenet: error: " + absent + ": checkpoint not found\n");
}

}  // namespace
}  // namespace wn
