// `wavenet plot RUN_DIR`: a run's curves from its TensorBoard files, and one-line errors for
// what is not there.

#include <gtest/gtest.h>

#include <cmath>

#include "core/tensorboard.h"
#include "tests/experiments/cli_fixtures.h"

namespace wn {
namespace {

// A run's event file as the trainer writes it: loss falling over decades, the learning rate, a norm.
void write_run_events(const std::filesystem::path& dir) {
  EventWriter w(dir);
  for (int step = 10; step <= 400; step += 10) {
    w.add_scalar("train/loss", 5.0f * std::exp(-step / 60.0f) + 0.01f, step);
    w.add_scalar("train/lr", step < 100 ? 1e-3f * step / 100.0f : 1e-3f, step);
    w.add_scalar("train/grad_norm", 1.0f, step);
    if (step % 100 == 0) w.add_scalar("valid/loss", 5.0f * std::exp(-step / 60.0f) + 0.05f, step);
  }
}

TEST(PlotCli, DrawsLossLearningRateAndAskedTags) {
  test::TempDir dir;
  write_run_events(dir / "run");
  ASSERT_EQ(run("plot " + (dir / "run").string() + " --tag train/grad_norm", dir / "log"), 0) << test::read_text(dir / "log");
  // Default name and size: RUN_DIR/curves.png, 300 pixels per chart (loss, learning rate, the tag).
  EXPECT_EQ(test::png_size(test::read_text(dir / "run/curves.png")), std::make_pair(900, 900));
  EXPECT_NE(test::read_text(dir / "log").find("3 charts from 1 event file"), std::string::npos) << test::read_text(dir / "log");
  ASSERT_EQ(run("plot " + (dir / "run").string() + " --out " + (dir / "small.png").string() + " --width 400 --height 300", dir / "log"), 0);
  EXPECT_EQ(test::png_size(test::read_text(dir / "small.png")), std::make_pair(400, 300));
}

TEST(PlotCli, WhatIsMissingIsOneLine) {
  test::TempDir dir;
  write_run_events(dir / "run");
  EXPECT_EQ(run("plot " + (dir / "run").string() + " --tag valid/nope", dir / "log"), 2);
  EXPECT_NE(test::read_text(dir / "log").find("--tag valid/nope: " + (dir / "run").string() +
                                              " logged no such scalar (it has train/grad_norm, train/loss, train/lr, valid/loss)"),
            std::string::npos)
      << test::read_text(dir / "log");
  std::filesystem::create_directories(dir / "empty");
  EXPECT_EQ(run("plot " + (dir / "empty").string(), dir / "log"), 2);
  EXPECT_NE(test::read_text(dir / "log").find("no TensorBoard event files"), std::string::npos) << test::read_text(dir / "log");
}

}  // namespace
}  // namespace wn
