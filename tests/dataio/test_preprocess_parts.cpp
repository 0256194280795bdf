// A corpus preprocessed as three parts into one directory and merged equals one run: the same
// shards holding the same utterances, audio, mels, labels and targets, the same statistics; the
// merge names a part that has not finished; a part resumes on its own; --force and another part
// count are refused.

#include "dataio/preprocess_parts.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/manifest.h"
#include "dataio/shard_reader.h"
#include "tests/dataio/audio_fixtures.h"
#include "tests/test_support.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

// Rated clips (metadata.csv: id|played|liked) in two speaker folders (labels and targets), one
// of them unreadable.
void make_corpus(const fs::path& dir) {
  std::string metadata;
  for (int i = 0; i < 11; ++i) {
    const std::string id = std::string(i % 2 ? "bob" : "alice") + "/clip" + std::to_string(i);
    test::write_wav16(dir / "wavs" / (id + ".wav"), test::sine(200 + 35 * i, 22050, 0.25 + 0.03 * i), 22050);
    metadata += id + "|" + std::to_string(100 + 10 * i) + "|" + std::to_string(2 + i) + "\n";
  }
  test::write_text(dir / "wavs" / "alice" / "broken.wav", "RIFF, but not really");
  metadata += "alice/broken|100|3\n";
  test::write_text(dir / "metadata.csv", metadata);
  test::write_text(dir / "wavs" / "README.txt", "not audio: counted as ignored in every report");
}

Config split_config() {
  // Tiny shards (about one utterance each), so three parts each get several.
  return resolve_config(std::nullopt, {"data.threads=2", "data.valid_fraction=0.2", "data.shard_size_mb=0.01",
                                       "data.label_source=folder", "data.target=popularity", "data.played_column=1",
                                       "data.liked_column=2"});
}

PreprocessOptions part(int index, int count) {
  PreprocessOptions o;
  o.show_progress = false;
  o.part = {index, count};
  return o;
}

void expect_same_shards(const fs::path& a, const fs::path& b, const std::vector<ShardEntry>& shards) {
  for (const ShardEntry& entry : shards) {
    const ShardReader x(a / entry.file), y(b / entry.file);
    ASSERT_EQ(x.size(), y.size()) << entry.file;
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x.name(i), y.name(i));
      EXPECT_EQ(x.label(i), y.label(i));
      EXPECT_EQ(x.target(i), y.target(i));
      const ShardUtterance u = x.read_utterance(i), v = y.read_utterance(i);
      EXPECT_EQ(u.audio, v.audio) << x.name(i);
      EXPECT_EQ(u.mel, v.mel) << x.name(i);
    }
  }
}

TEST(PreprocessParts, ThreePartsAndAMergeEqualOneRun) {
  test::TempDir dir;
  make_corpus(dir / "in");
  const Config config = split_config();
  PreprocessOptions whole;
  whole.show_progress = false;
  const PreprocessResult one = preprocess_corpus(dir / "in", dir / "one", config, whole);

  int64_t landed = 0;
  for (int i : {2, 3, 1}) landed += preprocess_corpus(dir / "in", dir / "split", config, part(i, 3)).utterances;
  EXPECT_EQ(landed, one.utterances);
  EXPECT_FALSE(fs::exists(dir / "split" / "manifest.yaml")) << "a part writes no manifest";
  EXPECT_NE(test::read_text(dir / "split" / "report.part-1-of-3.yaml").find("broken.wav"), std::string::npos);
  EXPECT_EQ(test::read_text(dir / "split" / "report.part-2-of-3.yaml").find("broken.wav"), std::string::npos);

  const PreprocessResult merged = merge_preprocess_parts(dir / "split");
  EXPECT_EQ(merged.utterances, one.utterances);
  EXPECT_EQ(merged.failures, one.failures);
  const Manifest a = read_manifest(dir / "one"), b = read_manifest(dir / "split");
  ASSERT_GE(a.train_shards.size(), 6u) << "the test wants several shards per part";
  ASSERT_EQ(a.train_shards.size(), b.train_shards.size());
  ASSERT_EQ(a.valid_shards.size(), b.valid_shards.size());
  for (std::size_t s = 0; s < a.train_shards.size(); ++s) {
    EXPECT_EQ(a.train_shards[s].file, b.train_shards[s].file);
    EXPECT_EQ(a.train_shards[s].utterances, b.train_shards[s].utterances);
  }
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.mel_mean, b.mel_mean);  // summed in the same order: bit for bit
  EXPECT_EQ(a.mel_std, b.mel_std);
  EXPECT_EQ(a.stats_frames, b.stats_frames);
  EXPECT_EQ(a.target.mean, b.target.mean);
  EXPECT_EQ(a.target.std, b.target.std);
  EXPECT_EQ(a.failures, b.failures);
  EXPECT_EQ(config_to_yaml(a.config), config_to_yaml(b.config));
  expect_same_shards(dir / "one", dir / "split", a.train_shards);
  expect_same_shards(dir / "one", dir / "split", a.valid_shards);
  EXPECT_EQ(test::read_text(dir / "one" / "report.yaml"), test::read_text(dir / "split" / "report.yaml"));
}

TEST(PreprocessParts, AMergeNamesTheUnfinishedPartAndAPartResumes) {
  test::TempDir dir;
  make_corpus(dir / "in");
  const Config config = split_config();
  EXPECT_EQ(test::error_message<UserError>([&] { merge_preprocess_parts(dir / "out"); }).find(
                (dir / "out").string() + ": no split preprocess to merge"),
            0u);
  preprocess_corpus(dir / "in", dir / "out", config, part(1, 3));
  preprocess_corpus(dir / "in", dir / "out", config, part(3, 3));
  const std::string missing = test::error_message<UserError>([&] { merge_preprocess_parts(dir / "out"); });
  EXPECT_NE(missing.find(": part 2/3 ("), std::string::npos) << missing;
  EXPECT_NE(missing.find("not finished; run it again (they resume), then merge"), std::string::npos) << missing;

  // Part 2 killed after its first shard, like kill -9, then run again: it resumes.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    PreprocessOptions o = part(2, 3);
    o.on_shard_done = [](const std::string&) { _exit(7); };
    try {
      preprocess_corpus(dir / "in", dir / "out", config, o);
    } catch (...) {
    }
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7);
  const PreprocessResult second = preprocess_corpus(dir / "in", dir / "out", config, part(2, 3));
  EXPECT_EQ(second.shards_resumed, 1);
  EXPECT_GE(second.shards_written, 1);
  EXPECT_EQ(merge_preprocess_parts(dir / "out").utterances, 11);

  PreprocessOptions forced = part(1, 3);
  forced.force = true;
  EXPECT_NE(test::error_message<UserError>([&] { preprocess_corpus(dir / "in", dir / "out", config, forced); })
                .find("--force with --part would delete the other parts' shards"),
            std::string::npos);
  EXPECT_EQ(test::error_message<UserError>([&] { preprocess_corpus(dir / "in", dir / "out", config, part(1, 4)); }),
            (dir / "out").string() + ": is split into 3 parts, not 4; use --part I/3, or clear the directory to split it again");
}

TEST(PreprocessParts, PartSpecifications) {
  const CorpusPart p = parse_corpus_part("2/8");
  EXPECT_EQ(p.index, 2);
  EXPECT_EQ(p.count, 8);
  EXPECT_TRUE(p.owns(1));
  EXPECT_TRUE(p.owns(9));
  EXPECT_FALSE(p.owns(2));
  for (const std::string bad : {"0/3", "4/3", "3", "a/b", "1/0", "1/3x", "/3"}) {
    EXPECT_NE(test::error_message<UserError>([&] { parse_corpus_part(bad); }).find("--part " + bad + ":"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace wn
