#include "core/strings.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace wn {
namespace {

TEST(Strings, SplitJoinTrim) {
  EXPECT_EQ(split("a.b..c", '.'), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(trim("  x y \n"), "x y");
}

TEST(Strings, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("modle", "model"), 1u) << "a swap of neighbours is one typo";
}

TEST(Strings, ClosestMatchOnlyForPlausibleTypos) {
  const std::vector<std::string> keys = {"layers", "stacks", "kernel_size"};
  EXPECT_EQ(closest_match("layrs", keys), "layers");
  EXPECT_EQ(closest_match("kernelsize", keys), "kernel_size");
  EXPECT_EQ(closest_match("temperature", keys), "");
}

TEST(Strings, FormatDoubleRoundTripsExactly) {
  for (double v : {0.1, 1e-5, 2.5e-4, 1.0 / 3.0, 123456789.125, -7.0, 0.0}) {
    const std::string text = format_double(v);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
    EXPECT_NE(text.find_first_of(".eE"), std::string::npos) << text;
  }
  EXPECT_EQ(format_double(0.1), "0.1");
}

}  // namespace
}  // namespace wn
