#include "dataio/figures/axis_ticks.h"

#include <plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dataio/figures/plot_page.h"

namespace wn::figures {
namespace {

constexpr double kTickPixels = 6.0;

}  // namespace

void Range::add(double value) {
  if (!std::isfinite(value)) return;
  lo = std::min(lo, value);
  hi = std::max(hi, value);
}

Range Range::usable() const {
  if (empty()) return Range{0.0, 1.0};
  if (hi > lo) return *this;
  const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
  return Range{lo - pad, hi + pad};
}

double plotted_y(double y, bool log_y) {
  if (!log_y) return y;
  return y > 0.0 ? std::log10(y) : std::numeric_limits<double>::quiet_NaN();
}

std::string tick_number(double value) {
  char text[48];
  const double magnitude = std::fabs(value);
  if (value == 0.0 || (magnitude >= 1e-3 && magnitude < 1e5)) {
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
  }
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  const double mantissa = value / std::pow(10.0, exponent);
  if (std::fabs(mantissa - 1.0) < 1e-9) {
    std::snprintf(text, sizeof text, "10#u%d#d", exponent);
  } else {
    std::snprintf(text, sizeof text, "%.3g#[0x00d7]10#u%d#d", mantissa, exponent);  // #[0x00d7]: a multiplication sign
  }
  return text;
}

std::string short_number(double value) {
  if (!std::isfinite(value)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

std::vector<YTick> linear_ticks(double lo, double hi) {
  const double rough = (hi - lo) / 5.0;
  const double decade = std::pow(10.0, std::floor(std::log10(rough)));
  double step = decade;
  for (double m : {2.0, 5.0, 10.0}) {
    if (step < rough * 0.75) step = decade * m;
  }
  // One format for the whole axis: as many decimals as the step needs (0.0002, 0.0004, ...),
  // unless that gets unwieldy.
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  const bool fixed = decimals <= 5 && std::max(std::fabs(lo), std::fabs(hi)) < 1e6;
  std::vector<YTick> ticks;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1.0) {
    const double value = std::fabs(k) < 1e-9 ? 0.0 : k * step;  // no "-0"
    char text[48];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    ticks.push_back({value, fixed ? std::string(text) : tick_number(value)});
  }
  return ticks;
}

std::vector<YTick> log_ticks(double log_lo, double log_hi) {
  static const std::vector<std::vector<double>> kMantissas = {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  std::vector<YTick> ticks;
  for (const auto& mantissas : kMantissas) {
    ticks.clear();
    for (int decade = static_cast<int>(std::floor(log_lo)); decade <= static_cast<int>(std::ceil(log_hi)); ++decade) {
      for (double m : mantissas) {
        const double value = m * std::pow(10.0, decade);
        const double at = std::log10(value);
        if (at >= log_lo - 1e-9 && at <= log_hi + 1e-9) ticks.push_back({at, tick_number(value)});
      }
    }
    if (ticks.size() >= 3) break;
  }
  if (ticks.size() > 10) {  // many decades: label every few
    const std::size_t every = (ticks.size() + 7) / 8;
    std::vector<YTick> thinned;
    for (std::size_t i = 0; i < ticks.size(); i += every) thinned.push_back(ticks[i]);
    ticks = thinned;
  }
  return ticks;
}

void draw_y_grid(const std::vector<YTick>& ticks, double x_lo, double x_hi) {
  plcol0(kGrid);
  for (const auto& t : ticks) pljoin(x_lo, t.value, x_hi, t.value);
}

double draw_y_ticks(const std::vector<YTick>& ticks, double x_lo, double x_hi, double y_lo, double y_hi,
                    const PixelBox& box, double text_pixels) {
  const double tick = kTickPixels / (box.right - box.left) * (x_hi - x_lo);
  const double pixels_per_unit = (box.bottom - box.top) / (y_hi - y_lo);
  double widest = 0.0, last_label_pixel = -1e9;
  plcol0(kInk);
  for (const auto& t : ticks) {
    pljoin(x_lo, t.value, x_lo + tick, t.value);
    pljoin(x_hi, t.value, x_hi - tick, t.value);
    const double pixel = (t.value - y_lo) * pixels_per_unit;
    if (t.label.empty() || pixel - last_label_pixel < 1.4 * text_pixels) continue;  // crowded: tick mark only
    last_label_pixel = pixel;
    plmtex("lv", 0.5, (t.value - y_lo) / (y_hi - y_lo), 1.0, t.label.c_str());
    widest = std::max(widest, text_width_pixels(t.label, text_pixels));
  }
  return widest;
}

// Half a line of gap, the labels, then half the title's height.
double y_label_offset_lines(double widest_tick_label_pixels, double text_pixels) {
  return 0.5 + widest_tick_label_pixels / text_pixels + 1.1;
}

}  // namespace wn::figures
