#include "dataio/spectrogram_png.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/errors.h"
#include "dataio/png_image.h"

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
  if (width <= 0 || height <= 0) throw IoError(path.string() + ": the mels have no frames");
  const double span = hi > lo ? hi - lo : 1.0;
  RgbImage image(width, height);
  int x0 = 0;
  for (const auto& p : panels) {
    const int frames = static_cast<int>(p.mel.size() / std::max(1, p.n_mels));
    for (int f = 0; f < frames; ++f) {
      for (int m = 0; m < p.n_mels; ++m) {
        const auto rgb = colour((p.mel[static_cast<std::size_t>(f) * p.n_mels + m] - lo) / span);
        for (int dy = 0; dy < kBandHeight; ++dy) {
          const int y = height - 1 - (m * kBandHeight + dy);  // low bands at the bottom
          for (int dx = 0; dx < pixels_per_frame; ++dx) image.set(x0 + f * pixels_per_frame + dx, y, rgb[0], rgb[1], rgb[2]);
        }
      }
    }
    x0 += frames * pixels_per_frame + kGap;
  }
  write_png(path, image);
}

}  // namespace wn
