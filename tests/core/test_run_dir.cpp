#include "core/run_dir.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "tests/test_support.h"

namespace wn {
namespace {

using test::read_text;
using test::TempDir;
using test::write_text;

TEST(RunDirectory, CreatesAndStampsNewRun) {
  TempDir dir;
  const auto run = RunDirectory::open(dir / "run1", RunDirPolicy::create_new, "model: {}\n",
                                      {"wavenet", "train", "--run-dir", "run 1"});
  EXPECT_FALSE(run.resumed());
  EXPECT_EQ(read_text(run.file("config.yaml")), "model: {}\n");
  const std::string command = read_text(run.file("command.txt"));
  EXPECT_NE(command.find("wavenet train --run-dir 'run 1'\n"), std::string::npos) << command;
}

TEST(RunDirectory, RefusesToOverwriteUnlessAsked) {
  TempDir dir;
  RunDirectory::open(dir / "run", RunDirPolicy::create_new, "a: 1\n", {"x"});
  EXPECT_THROW(RunDirectory::open(dir / "run", RunDirPolicy::create_new, "a: 2\n", {"x"}), UserError);
  EXPECT_EQ(read_text(dir / "run/config.yaml"), "a: 1\n");

  write_text(dir / "run/checkpoint.pt", "weights");
  const auto run = RunDirectory::open(dir / "run", RunDirPolicy::overwrite, "a: 2\n", {"x"});
  EXPECT_EQ(read_text(run.file("config.yaml")), "a: 2\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "run/checkpoint.pt"));
}

TEST(RunDirectory, ResumeKeepsRunAndAppendsCommand) {
  TempDir dir;
  RunDirectory::open(dir / "run", RunDirPolicy::resume, "a: 1\n", {"first"});
  write_text(dir / "run/checkpoint.pt", "weights");
  const auto run = RunDirectory::open(dir / "run", RunDirPolicy::resume, "a: 2\n", {"second"});
  EXPECT_TRUE(run.resumed());
  EXPECT_EQ(read_text(run.file("config.yaml")), "a: 1\n");
  EXPECT_EQ(read_text(run.file("checkpoint.pt")), "weights");
  const std::string command = read_text(run.file("command.txt"));
  EXPECT_LT(command.find("first"), command.find("second"));
}

TEST(RunDirectory, NeverDeletesADirectoryThatIsNotARun) {
  TempDir dir;
  write_text(dir / "home/precious.txt", "keep me");
  EXPECT_THROW(RunDirectory::open(dir / "home", RunDirPolicy::overwrite, "", {"x"}), UserError);
  EXPECT_THROW(RunDirectory::open(dir / "home", RunDirPolicy::resume, "", {"x"}), UserError);
  EXPECT_EQ(read_text(dir / "home/precious.txt"), "keep me");
}

TEST(RunDirectory, FileInsteadOfDirectoryIsAnError) {
  TempDir dir;
  write_text(dir / "file", "x");
  EXPECT_THROW(RunDirectory::open(dir / "file", RunDirPolicy::create_new, "", {"x"}), UserError);
}

TEST(ShellQuote, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(shell_quote_command({"wavenet", "model.layers=3", "a b", "it's", ""}),
            "wavenet model.layers=3 'a b' 'it'\\''s' ''");
}

}  // namespace
}  // namespace wn
