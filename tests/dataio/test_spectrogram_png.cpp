#include "dataio/spectrogram_png.h"

#include <gtest/gtest.h>
#include <png.h>

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

}  // namespace
}  // namespace wn
