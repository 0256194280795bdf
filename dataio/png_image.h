#pragma once
// An RGB image in memory, written as a PNG with libpng (atomically: a temporary file renamed).

#include <cstdint>
#include <filesystem>
#include <vector>

namespace wn {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major, 3 bytes per pixel, top row first

  RgbImage(int w, int h) : width(w), height(h), pixels(static_cast<std::size_t>(w) * h * 3, 255) {}
  // Ignores points outside the image, so drawing code need not clip.
  void set(int x, int y, uint8_t r, uint8_t g, uint8_t b) {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    uint8_t* px = pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
    px[0] = r;
    px[1] = g;
    px[2] = b;
  }
};

// Throws IoError naming the path on failure.
void write_png(const std::filesystem::path& path, const RgbImage& image);

}  // namespace wn
