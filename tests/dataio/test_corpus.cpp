#include "dataio/corpus.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "tests/dataio/audio_fixtures.h"

namespace wn {
namespace {

std::vector<std::string> ids_of(const Corpus& c) {
  std::vector<std::string> ids;
  for (const auto& e : c.entries) ids.push_back(e.id);
  return ids;
}

TEST(Corpus, DirectoryIsSearchedRecursivelyWithFolderLabels) {
  test::TempDir dir;
  const auto tone = test::sine(200, 8000, 0.1);
  test::write_wav16(dir / "p225/a.wav", tone, 8000);
  test::write_wav16(dir / "p226/deep/b.wav", tone, 8000);
  test::write_text(dir / "p225/notes.txt", "x");
  test::write_text(dir / "README", "x");
  DataConfig data;
  data.label_source = "folder";
  const Corpus c = scan_corpus(dir.path(), data);
  EXPECT_EQ(c.layout, "directory");
  EXPECT_EQ(ids_of(c), (std::vector<std::string>{"p225/a", "p226/deep/b"}));
  EXPECT_EQ(c.entries[0].label, "p225");
  EXPECT_EQ(c.entries[1].label, "deep");
  EXPECT_EQ(c.ignored_files, 2);
  data.label_source = "none";
  EXPECT_EQ(scan_corpus(dir.path(), data).entries[0].label, "");
}

TEST(Corpus, LjspeechLayoutWithColumnLabels) {
  test::TempDir dir;
  test::write_text(dir / "metadata.csv", "LJ001|Hello there|hello there|alice\nLJ002|Bye|bye|bob\n\n");
  test::write_wav16(dir / "wavs/LJ001.wav", test::sine(200, 8000, 0.1), 8000);
  DataConfig data;
  data.label_source = "column";
  data.label_column = 3;
  const Corpus c = scan_corpus(dir.path(), data);
  EXPECT_EQ(c.layout, "ljspeech");
  ASSERT_EQ(c.entries.size(), 2u);
  EXPECT_EQ(c.entries[0].path, dir / "wavs/LJ001.wav");
  EXPECT_EQ(c.entries[1].label, "bob");
  data.label_column = 9;
  EXPECT_THROW(scan_corpus(dir.path(), data), UserError);
}

TEST(Corpus, ListFileWithRelativePathsAndLabels) {
  test::TempDir dir;
  test::write_text(dir / "list.txt", "# comment\nclips/x.wav|piano\n/abs/y.flac|violin\n\n");
  DataConfig data;
  data.label_source = "column";
  data.label_column = 1;
  const Corpus c = scan_corpus(dir / "list.txt", data);
  EXPECT_EQ(c.layout, "list");
  ASSERT_EQ(c.entries.size(), 2u);
  EXPECT_EQ(c.entries[0].id, "abs/y");
  EXPECT_EQ(c.entries[0].path, "/abs/y.flac");
  EXPECT_EQ(c.entries[1].path, dir / "clips/x.wav");
  EXPECT_EQ(c.entries[1].label, "piano");
}

TEST(Corpus, SameStemDifferentExtensionsStayDistinct) {
  test::TempDir dir;
  test::write_wav16(dir / "a.wav", test::sine(200, 8000, 0.1), 8000);
  test::write_audio(dir / "a.flac", test::sine(200, 8000, 0.1), 1, 8000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  const Corpus c = scan_corpus(dir.path(), DataConfig{});
  EXPECT_EQ(ids_of(c), (std::vector<std::string>{"a.flac", "a.wav"}));
}

TEST(Corpus, InputErrors) {
  test::TempDir dir;
  EXPECT_THROW(scan_corpus(dir / "missing", DataConfig{}), UserError);
  DataConfig data;
  data.label_source = "column";
  EXPECT_THROW(scan_corpus(dir.path(), data), UserError);
}

TEST(CorpusTargets, ColumnAndPopularityFromMetadata) {
  test::TempDir dir;
  test::write_text(dir / "metadata.csv", "a|100|10\nb|50|5|x\nc|200|1\n");
  for (const char* id : {"a", "b", "c"}) test::write_wav16(dir / "wavs" / (std::string(id) + ".wav"), test::sine(200, 8000, 0.1), 8000);
  DataConfig data;
  data.target = "column";
  data.target_column = 2;
  Corpus c = scan_corpus(dir.path(), data);
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_DOUBLE_EQ(c.entries[0].target, 10.0);
  EXPECT_DOUBLE_EQ(c.entries[1].target, 5.0);
  EXPECT_TRUE(c.rejected.empty());

  data.target = "popularity";
  data.played_column = 1;
  data.liked_column = 2;
  c = scan_corpus(dir.path(), data);
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_NEAR(c.entries[0].target, 10.0 / 100.0 * std::log(10.0), 1e-12);
  EXPECT_NEAR(c.entries[1].target, 5.0 / 50.0 * std::log(5.0), 1e-12);
  EXPECT_EQ(c.entries[2].target, 0.0) << "one like: ln 1 = 0";
}

TEST(CorpusTargets, BadRowsAreRejectedWithTheirReasonNotFatal) {
  test::TempDir dir;
  const auto tone = test::sine(200, 8000, 0.1);
  test::write_text(dir / "list.txt",
                   "good.wav|100|7\nzero_likes.wav|100|0\nzero_plays.wav|0|3\nwords.wav|many|3\nshort.wav|100\n");
  for (const char* f : {"good.wav", "zero_likes.wav", "zero_plays.wav", "words.wav", "short.wav"}) test::write_wav16(dir / f, tone, 8000);
  DataConfig data;
  data.target = "popularity";
  const Corpus c = scan_corpus(dir / "list.txt", data);
  EXPECT_EQ(ids_of(c), (std::vector<std::string>{"good"}));
  ASSERT_EQ(c.rejected.size(), 4u);
  EXPECT_NE(c.rejected[0].path.find("zero_likes.wav"), std::string::npos);
  EXPECT_NE(c.rejected[0].reason.find("list.txt:2"), std::string::npos) << c.rejected[0].reason;
  EXPECT_NE(c.rejected[0].reason.find("liked > 0"), std::string::npos) << c.rejected[0].reason;
  EXPECT_NE(c.rejected[1].reason.find("played 0"), std::string::npos) << c.rejected[1].reason;
  EXPECT_NE(c.rejected[2].reason.find("'many', not a finite number"), std::string::npos) << c.rejected[2].reason;
  EXPECT_NE(c.rejected[3].reason.find("no column 2"), std::string::npos) << c.rejected[3].reason;

  data.target = "column";
  data.target_column = 1;
  EXPECT_NE(test::error_message<UserError>([&] { scan_corpus(dir.path(), data); }).find("not a plain directory"), std::string::npos)
      << "a plain directory has no metadata columns";
}

}  // namespace
}  // namespace wn
