#include "dataio/line_plot_png.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/errors.h"
#include "dataio/png_image.h"

namespace wn {
namespace {

// 3 x 5 glyphs, rows top to bottom, '#' lit. Unknown characters draw as blanks.
const std::map<char, std::array<const char*, 5>>& glyphs() {
  static const std::map<char, std::array<const char*, 5>> table = {
      {'A', {".#.", "#.#", "###", "#.#", "#.#"}}, {'B', {"##.", "#.#", "##.", "#.#", "##."}},
      {'C', {".##", "#..", "#..", "#..", ".##"}}, {'D', {"##.", "#.#", "#.#", "#.#", "##."}},
      {'E', {"###", "#..", "##.", "#..", "###"}}, {'F', {"###", "#..", "##.", "#..", "#.."}},
      {'G', {".##", "#..", "#.#", "#.#", ".##"}}, {'H', {"#.#", "#.#", "###", "#.#", "#.#"}},
      {'I', {"###", ".#.", ".#.", ".#.", "###"}}, {'J', {"..#", "..#", "..#", "#.#", ".#."}},
      {'K', {"#.#", "#.#", "##.", "#.#", "#.#"}}, {'L', {"#..", "#..", "#..", "#..", "###"}},
      {'M', {"#.#", "###", "###", "#.#", "#.#"}}, {'N', {"##.", "#.#", "#.#", "#.#", "#.#"}},
      {'O', {".#.", "#.#", "#.#", "#.#", ".#."}}, {'P', {"##.", "#.#", "##.", "#..", "#.."}},
      {'Q', {".#.", "#.#", "#.#", "##.", ".##"}}, {'R', {"##.", "#.#", "##.", "#.#", "#.#"}},
      {'S', {".##", "#..", ".#.", "..#", "##."}}, {'T', {"###", ".#.", ".#.", ".#.", ".#."}},
      {'U', {"#.#", "#.#", "#.#", "#.#", "###"}}, {'V', {"#.#", "#.#", "#.#", "#.#", ".#."}},
      {'W', {"#.#", "#.#", "###", "###", "#.#"}}, {'X', {"#.#", "#.#", ".#.", "#.#", "#.#"}},
      {'Y', {"#.#", "#.#", ".#.", ".#.", ".#."}}, {'Z', {"###", "..#", ".#.", "#..", "###"}},
      {'0', {"###", "#.#", "#.#", "#.#", "###"}}, {'1', {".#.", "##.", ".#.", ".#.", "###"}},
      {'2', {"##.", "..#", ".#.", "#..", "###"}}, {'3', {"##.", "..#", ".#.", "..#", "##."}},
      {'4', {"#.#", "#.#", "###", "..#", "..#"}}, {'5', {"###", "#..", "##.", "..#", "##."}},
      {'6', {".##", "#..", "###", "#.#", "###"}}, {'7', {"###", "..#", ".#.", ".#.", ".#."}},
      {'8', {"###", "#.#", "###", "#.#", "###"}}, {'9', {"###", "#.#", "###", "..#", "##."}},
      {'.', {"...", "...", "...", "...", ".#."}}, {'-', {"...", "...", "###", "...", "..."}},
      {'+', {"...", ".#.", "###", ".#.", "..."}}, {':', {"...", ".#.", "...", ".#.", "..."}},
      {'_', {"...", "...", "...", "...", "###"}}, {'/', {"..#", "..#", ".#.", "#..", "#.."}},
      {'(', {".#.", "#..", "#..", "#..", ".#."}}, {')', {".#.", "..#", "..#", "..#", ".#."}},
      {',', {"...", "...", "...", ".#.", "#.."}}, {'=', {"...", "###", "...", "###", "..."}},
  };
  return table;
}

constexpr int kScale = 2;                  // each glyph pixel is 2 x 2
constexpr int kAdvance = 4 * kScale;       // 3 columns and a space
constexpr int kTextHeight = 5 * kScale;
constexpr int kMargin = 8;

void draw_text(RgbImage& image, int x, int y, const std::string& text) {
  for (char raw : text) {
    const auto it = glyphs().find(static_cast<char>(std::toupper(static_cast<unsigned char>(raw))));
    if (it != glyphs().end()) {
      for (int row = 0; row < 5; ++row) {
        for (int col = 0; col < 3; ++col) {
          if (it->second[row][col] != '#') continue;
          for (int d = 0; d < kScale * kScale; ++d) image.set(x + col * kScale + d % kScale, y + row * kScale + d / kScale, 40, 40, 40);
        }
      }
    }
    x += kAdvance;
  }
}

void draw_segment(RgbImage& image, int x0, int y0, int x1, int y1, const std::array<uint8_t, 3>& c) {
  const int steps = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
  for (int i = 0; i <= steps; ++i) {
    const double t = steps ? static_cast<double>(i) / steps : 0.0;
    const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0))), y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
    image.set(x, y, c[0], c[1], c[2]);
    image.set(x, y + 1, c[0], c[1], c[2]);  // two pixels thick
  }
}

std::string three_figures(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

}  // namespace

std::string line_plot_label(const LinePlot& plot) {
  double lo = INFINITY, hi = -INFINITY, last = NAN;
  for (double v : plot.values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    last = v;
  }
  if (!std::isfinite(last)) return plot.title + "  (NO VALUES)";
  return plot.title + "  MIN " + three_figures(lo) + "  MAX " + three_figures(hi) + "  LAST " + three_figures(last);
}

void write_line_plots_png(const std::filesystem::path& path, const std::vector<LinePlot>& plots, int width, int panel_height) {
  if (plots.empty()) throw IoError(path.string() + ": no curves to plot");
  const int min_height = kTextHeight + 3 * kMargin + 10;
  if (width < 4 * kMargin + 10 || panel_height < min_height) throw IoError(path.string() + ": the plot is too small to draw");
  static const std::array<std::array<uint8_t, 3>, 5> colours = {
      {{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {148, 103, 189}, {255, 127, 14}}};
  RgbImage image(width, panel_height * static_cast<int>(plots.size()));
  for (std::size_t p = 0; p < plots.size(); ++p) {
    const LinePlot& plot = plots[p];
    const int top = static_cast<int>(p) * panel_height;
    draw_text(image, kMargin, top + kMargin / 2, line_plot_label(plot));
    // The plotting box, framed in light grey.
    const int x0 = kMargin, x1 = width - kMargin;
    const int y0 = top + kTextHeight + kMargin, y1 = top + panel_height - kMargin;
    for (int x = x0; x <= x1; ++x) {
      image.set(x, y0, 200, 200, 200);
      image.set(x, y1, 200, 200, 200);
    }
    for (int y = y0; y <= y1; ++y) {
      image.set(x0, y, 200, 200, 200);
      image.set(x1, y, 200, 200, 200);
    }
    double lo = INFINITY, hi = -INFINITY;
    for (double v : plot.values) {
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    if (!(hi >= lo)) continue;
    const double span = hi > lo ? hi - lo : 1.0;
    const auto n = static_cast<double>(std::max<std::size_t>(plot.values.size() - 1, 1));
    auto px = [&](std::size_t i) { return x0 + 2 + static_cast<int>(std::lround(i / n * (x1 - x0 - 4))); };
    auto py = [&](double v) { return y1 - 2 - static_cast<int>(std::lround((v - lo) / span * (y1 - y0 - 4))); };
    const auto& colour = colours[p % colours.size()];
    for (std::size_t i = 0; i < plot.values.size(); ++i) {
      const double v = plot.values[i];
      if (!std::isfinite(v)) continue;
      const bool joined = i > 0 && std::isfinite(plot.values[i - 1]);
      if (joined) {
        draw_segment(image, px(i - 1), py(plot.values[i - 1]), px(i), py(v), colour);
      } else {
        draw_segment(image, px(i), py(v), px(i), py(v), colour);
      }
    }
  }
  write_png(path, image);
}

}  // namespace wn
