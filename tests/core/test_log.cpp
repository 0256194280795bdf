#include "core/log.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/errors.h"
#include "tests/test_support.h"

namespace wn {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override {
    remove_log_files();
    set_log_level(LogLevel::info);
  }
};

TEST_F(LogTest, WritesTimestampedLevelledLinesToFile) {
  test::TempDir dir;
  add_log_file(dir / "train.log");
  set_log_level(LogLevel::info);
  WN_LOG(info) << "step " << 5;
  WN_LOG(debug) << "hidden";
  WN_LOG(error) << "bad";
  remove_log_files();
  const std::string text = test::read_text(dir / "train.log");
  const std::regex line(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO  step 5\n)"
                        R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ERROR bad\n)");
  EXPECT_TRUE(std::regex_match(text, line)) << text;
}

TEST_F(LogTest, LevelFiltersAndParses) {
  EXPECT_EQ(parse_log_level("warn"), LogLevel::warn);
  EXPECT_THROW(parse_log_level("loud"), UserError);
  test::TempDir dir;
  add_log_file(dir / "a.log");
  set_log_level(LogLevel::off);
  WN_LOG(error) << "silenced";
  remove_log_files();
  EXPECT_EQ(test::read_text(dir / "a.log"), "");
}

TEST_F(LogTest, UnopenableFileIsAnIoError) {
  EXPECT_THROW(add_log_file("/no/such/dir/x.log"), IoError);
}

}  // namespace
}  // namespace wn
