#include "dataio/spectrogram_png.h"

#include "core/errors.h"
#include "dataio/line_plot_png.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cmath>

#include "tests/test_support.h"

namespace wn {
namespace {

TEST(SpectrogramPng, PanelsSideBySideReadBackWithLibpng) {
  test::TempDir dir;
  MelPanel a{std::vector<float>(10 * 4, 0.0f), 4};
  MelPanel b{std::vector<float>(5 * 4, 1.0f), 4};
  a.mel[0] = -3.0f;  // lowest band of the first frame: the darkest pixel, bottom left
  write_mel_panels_png(dir / "m.png", {a, b}, 2);

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, (dir / "m.png").c_str()));
  EXPECT_EQ(image.width, 10u * 2 + 6 + 5 * 2);  // frames x 2 px, a 6 px gap
  EXPECT_EQ(image.height, 4u * 4);             // 4 px per band
  image.format = PNG_FORMAT_RGB;
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr));
  auto px = [&](unsigned x, unsigned y) { return pixels.data() + (y * image.width + x) * 3; };
  const png_byte* darkest = px(0, image.height - 1);
  const png_byte* brightest = px(image.width - 1, 0);
  const png_byte* gap = px(10 * 2 + 2, 3);
  EXPECT_LT(darkest[0] + darkest[1] + darkest[2], brightest[0] + brightest[1] + brightest[2]);
  EXPECT_EQ(gap[0], 255);
  EXPECT_EQ(gap[1], 255);
}

TEST(LinePlotPng, OnePanelPerCurveWithItsRangeInTheLabel) {
  test::TempDir dir;
  const LinePlot rising{"score", {1.0, 2.0, NAN, 4.0}};
  const LinePlot flat{"penalty", {0.5, 0.5}};
  EXPECT_EQ(line_plot_label(rising), "score  MIN 1  MAX 4  LAST 4");
  EXPECT_EQ(line_plot_label(LinePlot{"empty", {}}), "empty  (NO VALUES)");
  write_line_plots_png(dir / "c.png", {rising, flat}, 200, 60);

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, (dir / "c.png").c_str()));
  EXPECT_EQ(image.width, 200u);
  EXPECT_EQ(image.height, 2u * 60);
  image.format = PNG_FORMAT_RGB;
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr));
  // The rising curve ends at the top right of its box and starts at the bottom left: coloured
  // (not grey, not white) pixels there.
  auto coloured_near = [&](int x, int y) {
    for (int dy = -2; dy <= 2; ++dy) {
      const png_byte* p = pixels.data() + ((y + dy) * 200 + x) * 3;
      if (p[0] != p[1] || p[1] != p[2]) return true;
    }
    return false;
  };
  const int box_top = 10 + 8, box_bottom = 60 - 8;  // text height + margin, panel - margin
  EXPECT_TRUE(coloured_near(200 - 8 - 2, box_top + 2));
  EXPECT_TRUE(coloured_near(8 + 2, box_bottom - 2));
  EXPECT_FALSE(coloured_near(8 + 2, box_top + 3)) << "the curve starts low";
  EXPECT_THROW(write_line_plots_png(dir / "none.png", {}), IoError);
}

}  // namespace
}  // namespace wn
