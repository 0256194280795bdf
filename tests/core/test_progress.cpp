#include "core/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace wn {
namespace {

// A progress bar writing to a string, driven by a hand-moved clock.
struct FakeClockBar {
  double now = 100.0;
  std::ostringstream out;
  ProgressOptions options(bool interactive) {
    ProgressOptions o;
    o.unit = "files";
    o.out = &out;
    o.interactive = interactive;
    o.line_interval_s = 10.0;
    o.clock = [this] { return now; };
    return o;
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ProgressBar, NonTerminalPrintsPeriodicPlainLines) {
  FakeClockBar fake;
  {
    ProgressBar bar("preprocess", 100, fake.options(false));
    for (int i = 0; i < 100; ++i) {
      fake.now += 0.5;  // 2 files/s
      bar.advance();
    }
  }
  const auto lines = lines_of(fake.out.str());
  // 50 s of work at one line per 10 s, plus the final line.
  ASSERT_EQ(lines.size(), 6u) << fake.out.str();
  EXPECT_EQ(lines[0], "preprocess: 20% 20/100 files, 2 files/s, ETA 0:40");
  EXPECT_EQ(lines[4], "preprocess: 100% 100/100 files, 2 files/s, ETA 0:00");
  EXPECT_EQ(lines[5], "preprocess: done 100 files in 0:50 (2 files/s)");
  EXPECT_EQ(fake.out.str().find('\r'), std::string::npos) << "no carriage returns in logs";
  EXPECT_EQ(fake.out.str().find('\033'), std::string::npos) << "no escape codes in logs";
}

TEST(ProgressBar, NoLineBeforeInterval) {
  FakeClockBar fake;
  ProgressBar bar("x", 10, fake.options(false));
  fake.now += 9.0;
  bar.advance(5);
  EXPECT_TRUE(fake.out.str().empty());
  fake.now += 1.0;
  bar.advance(1);
  EXPECT_FALSE(fake.out.str().empty());
}

TEST(ProgressBar, UnknownTotalShowsCountAndRateWithoutEta) {
  FakeClockBar fake;
  ProgressBar bar("scan", 0, fake.options(false));
  fake.now += 10.0;
  bar.advance(2500);
  EXPECT_EQ(fake.out.str(), "scan: 2500 files, 250 files/s\n");
}

TEST(ProgressBar, DetailIsAppended) {
  FakeClockBar fake;
  ProgressBar bar("train", 10, fake.options(false));
  bar.set_detail("loss 2.31");
  fake.now += 10.0;
  bar.advance();
  EXPECT_NE(fake.out.str().find(", loss 2.31"), std::string::npos) << fake.out.str();
}

TEST(ProgressBar, TerminalRedrawsOneLine) {
  FakeClockBar fake;
  {
    ProgressBar bar("synth", 4, fake.options(true));
    for (int i = 0; i < 4; ++i) {
      fake.now += 1.0;
      bar.advance();
    }
  }
  const std::string text = fake.out.str();
  EXPECT_NE(text.find("\r\033[K"), std::string::npos);
  EXPECT_NE(text.find("[######"), std::string::npos);
  EXPECT_EQ(lines_of(text).size(), 1u) << "redraws must stay on one line until finish";
}

TEST(ProgressBar, FinishIsIdempotent) {
  FakeClockBar fake;
  ProgressBar bar("x", 1, fake.options(false));
  bar.advance();
  bar.finish();
  bar.finish();
  EXPECT_EQ(lines_of(fake.out.str()).size(), 1u);
}

TEST(Format, DurationAndSi) {
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(7384), "2:03:04");
  EXPECT_EQ(format_duration(-1), "?");
  EXPECT_EQ(format_si(950), "950");
  EXPECT_EQ(format_si(12345), "12.3k");
  EXPECT_EQ(format_si(4.5678e6), "4.57M");
  EXPECT_EQ(format_si(0.5), "0.50");
}

}  // namespace
}  // namespace wn
