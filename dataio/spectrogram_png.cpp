#include "dataio/spectrogram_png.h"

#include <png.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <csetjmp>
#include <cstdio>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn {
namespace {

// A perceptually ordered colour ramp (dark blue -> teal -> yellow), linearly interpolated.
std::array<uint8_t, 3> colour(double v) {
  static const std::array<std::array<double, 3>, 5> anchors = {
      {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
  v = std::clamp(v, 0.0, 1.0) * (anchors.size() - 1);
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(v), anchors.size() - 2);
  const double t = v - static_cast<double>(i);
  std::array<uint8_t, 3> rgb{};
  for (int c = 0; c < 3; ++c) rgb[c] = static_cast<uint8_t>(std::lround(anchors[i][c] * (1 - t) + anchors[i + 1][c] * t));
  return rgb;
}

constexpr int kGap = 6;
constexpr int kBandHeight = 4;  // tall enough to show harmonics in the low bands

}  // namespace

void write_mel_panels_png(const std::filesystem::path& path, const std::vector<MelPanel>& panels, int pixels_per_frame) {
  if (panels.empty()) throw IoError(path.string() + ": nothing to plot");
  float lo = INFINITY, hi = -INFINITY;
  int height = 0, width = 0;
  for (const auto& p : panels) {
    for (float v : p.mel) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    height = std::max(height, p.n_mels * kBandHeight);
    width += static_cast<int>(p.mel.size() / std::max(1, p.n_mels)) * pixels_per_frame + kGap;
  }
  width -= kGap;
  const double span = hi > lo ? hi - lo : 1.0;
  std::vector<uint8_t> image(static_cast<std::size_t>(width) * height * 3, 255);
  int x0 = 0;
  for (const auto& p : panels) {
    const int frames = static_cast<int>(p.mel.size() / std::max(1, p.n_mels));
    for (int f = 0; f < frames; ++f) {
      for (int m = 0; m < p.n_mels; ++m) {
        const auto rgb = colour((p.mel[static_cast<std::size_t>(f) * p.n_mels + m] - lo) / span);
        for (int dy = 0; dy < kBandHeight; ++dy) {
          const int y = height - 1 - (m * kBandHeight + dy);  // low bands at the bottom
          for (int dx = 0; dx < pixels_per_frame; ++dx) {
            uint8_t* px = image.data() + (static_cast<std::size_t>(y) * width + x0 + f * pixels_per_frame + dx) * 3;
            std::copy(rgb.begin(), rgb.end(), px);
          }
        }
      }
    }
    x0 += frames * pixels_per_frame + kGap;
  }

  AtomicFile file(path);
  FILE* out = std::fopen(file.temp_path().c_str(), "wb");
  if (!out) throw IoError(path.string() + ": cannot create PNG");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(out);
    throw IoError(path.string() + ": libpng failed to write the image");
  }
  png_init_io(png, out);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y) png_write_row(png, image.data() + static_cast<std::size_t>(y) * width * 3);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(out);
  file.commit();
}

}  // namespace wn
