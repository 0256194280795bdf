#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "tests/test_support.h"

namespace wn {
namespace {

using test::read_text;
using test::TempDir;
using test::write_text;

std::size_t count_entries(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(
      std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
}

TEST(AtomicFile, WritesNewFile) {
  TempDir dir;
  write_file_atomically(dir / "a.txt", "hello");
  EXPECT_EQ(read_text(dir / "a.txt"), "hello");
  EXPECT_EQ(count_entries(dir.path()), 1u);
}

TEST(AtomicFile, ReplacesExistingFile) {
  TempDir dir;
  write_text(dir / "a.txt", "old contents");
  write_file_atomically(dir / "a.txt", "new");
  EXPECT_EQ(read_text(dir / "a.txt"), "new");
}

TEST(AtomicFile, FailedWriteLeavesOldFileAndNoTemporary) {
  TempDir dir;
  write_text(dir / "a.txt", "old contents");
  EXPECT_THROW(write_file_atomically(dir / "a.txt",
                                     [](std::ostream& out) {
                                       out << "half of the new";
                                       throw std::runtime_error("disk on fire");
                                     }),
               std::runtime_error);
  EXPECT_EQ(read_text(dir / "a.txt"), "old contents");
  EXPECT_EQ(count_entries(dir.path()), 1u) << "temporary file left behind";
}

TEST(AtomicFile, UncommittedPathWriterLeavesNothing) {
  TempDir dir;
  std::filesystem::path temp;
  {
    AtomicFile file(dir / "shard.h5");
    temp = file.temp_path();
    write_text(temp, "partial");
    EXPECT_TRUE(std::filesystem::exists(temp));
  }  // no commit(): as if the writer crashed or threw
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_FALSE(std::filesystem::exists(dir / "shard.h5"));
}

TEST(AtomicFile, CommitMovesTemporaryIntoPlace) {
  TempDir dir;
  AtomicFile file(dir / "shard.h5");
  EXPECT_EQ(file.temp_path().parent_path(), dir.path()) << "must rename within one file system";
  write_text(file.temp_path(), "complete");
  file.commit();
  EXPECT_EQ(read_text(dir / "shard.h5"), "complete");
  EXPECT_EQ(count_entries(dir.path()), 1u);
}

TEST(AtomicFile, CommitWithoutWritingIsAnError) {
  TempDir dir;
  AtomicFile file(dir / "x");
  EXPECT_THROW(file.commit(), IoError);
}

TEST(AtomicFile, UnwritableDirectoryNamesTarget) {
  try {
    write_file_atomically("/no/such/dir/a.txt", "x");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/dir/a.txt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace wn
