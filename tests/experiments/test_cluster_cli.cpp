// Cluster jobs as a user runs them: `preprocess --part I/N` then `--merge`, and `synth --part I/N`
// over a shard, each part taking its share and the shares covering everything once.

#include <gtest/gtest.h>

#include <set>

#include "dataio/manifest.h"
#include "tests/dataio/audio_fixtures.h"
#include "tests/experiments/cli_fixtures.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

std::set<std::string> wav_names(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

TEST(ClusterCli, PreprocessPartsMergeAndSynthParts) {
  test::TempDir dir;
  for (int i = 0; i < 6; ++i) test::write_wav16(dir / "in" / ("u" + std::to_string(i) + ".wav"), test::sine(220 + 30 * i, 16000, 0.3), 16000);
  const std::string in = (dir / "in").string(), out = (dir / "out").string();
  for (const char* p : {"2/2", "1/2"}) {
    ASSERT_EQ(run("preprocess " + in + " " + out + " --part " + p + " data.shard_size_mb=0.01", dir / "part.log"), 0)
        << test::read_text(dir / "part.log");
    EXPECT_NE(test::read_text(dir / "part.log").find(std::string("part ") + p + ": landed"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dir / "out" / "manifest.yaml"));
  ASSERT_EQ(run("preprocess --merge " + out, dir / "merge.log"), 0) << test::read_text(dir / "merge.log");
  const Manifest m = read_manifest(dir / "out");
  int64_t utterances = 0;
  for (const auto* list : {&m.train_shards, &m.valid_shards}) {
    for (const auto& s : *list) utterances += s.utterances;
  }
  EXPECT_EQ(utterances, 6);
  EXPECT_EQ(run("preprocess --merge " + out + " " + in, dir / "bad.log"), 2);
  EXPECT_EQ(test::read_text(dir / "bad.log"),
            "wavenet: error: --merge takes only the OUTPUT_DIR the parts wrote: wavenet preprocess --merge OUTPUT_DIR\n");
  EXPECT_EQ(run("preprocess " + in + " " + out + " --part 3/2", dir / "bad_part.log"), 2);

  // synth --part over the utterances of one shard: disjoint shares that cover it.
  test::TempDir trained;
  train_small_model(trained, {});
  const std::string shard = (trained / "data" / "train-00000.h5").string(), checkpoint = (trained / "run").string();
  std::set<std::string> seen;
  std::size_t total = 0;
  for (const char* p : {"1/2", "2/2"}) {
    const fs::path part_dir = trained / (std::string("part") + p[0]);
    ASSERT_EQ(run("synth --checkpoint " + checkpoint + " --shard " + shard + " --part " + p + " --out-dir " + part_dir.string(),
                  trained / "synth.log"),
              0)
        << test::read_text(trained / "synth.log");
    const std::set<std::string> names = wav_names(part_dir);
    total += names.size();
    seen.insert(names.begin(), names.end());
  }
  EXPECT_EQ(total, seen.size()) << "a clip in two parts";
  EXPECT_EQ(seen.size(), 5u) << "the shard's five utterances";
}

}  // namespace
}  // namespace wn
