#include "dataio/figures/bar_chart.h"

#include <plplot.h>

#include <algorithm>
#include <cmath>

#include "dataio/figures/axis_ticks.h"
#include "dataio/figures/plot_page.h"

namespace wn {

using namespace figures;  // the helpers every figure shares (plot_page.h, axis_ticks.h)

namespace {

// The bars' baseline and the window's vertical range; on a log axis, in log10 units.
struct BarScale {
  double baseline, lo, hi;
};

BarScale bar_scale(const BarChart& chart) {
  Range r;
  for (double v : chart.values) r.add(plotted_y(v, chart.log_y));
  if (chart.log_y) {
    const Range u = r.usable();
    const double lo = std::floor(u.lo), span = std::max(u.hi - lo, 1.0);
    return {lo, lo, u.hi + 0.15 * span};  // headroom for the value labels
  }
  const double lo = std::min(0.0, r.empty() ? 0.0 : r.lo), hi = std::max(0.0, r.empty() ? 1.0 : r.hi);
  const double span = hi > lo ? hi - lo : 1.0;
  return {0.0, lo < 0.0 ? lo - 0.12 * span : 0.0, hi + 0.12 * span};
}

// Labels shrink to fit their slot, down to 70 % size, then alternate between two rows.
struct LabelFit {
  double text_pixels;
  bool staggered;
};

LabelFit fit_bar_labels(const BarChart& chart, double text_pixels, double slot_pixels) {
  double widest = 0.0;
  for (const auto& l : chart.labels) widest = std::max(widest, text_width_pixels(l, text_pixels));
  if (widest <= slot_pixels * 0.95) return {text_pixels, false};
  const double scale = std::max(0.7, slot_pixels * 0.95 / widest);
  return {text_pixels * scale, widest * scale > slot_pixels * 0.95};
}

void draw_bars(const BarChart& chart, const BarScale& scale, const PixelBox& box, double text_pixels) {
  const std::size_t n = chart.values.size();
  // plptex centres the text on the point vertically: lift it by half a line and a bit.
  const double label_gap = 0.9 * text_pixels / (box.bottom - box.top) * (scale.hi - scale.lo);
  for (std::size_t i = 0; i < n; ++i) {
    const double top = plotted_y(chart.values[i], chart.log_y);
    const double x0 = i + 0.15, x1 = i + 0.85;
    if (std::isfinite(top)) {
      PLFLT xs[] = {x0, x1, x1, x0}, ys[] = {scale.baseline, scale.baseline, top, top};
      plcol0(kBar);
      plfill(4, xs, ys);
    }
    const double above = std::isfinite(top) ? std::max(top, scale.baseline) : scale.baseline;
    plcol0(kInk);
    set_text_pixels(text_pixels * 0.9);
    const std::string value = short_number(chart.values[i]);
    plptex(i + 0.5, above + label_gap, 1.0, 0.0, 0.5, value.c_str());
    set_text_pixels(text_pixels);
  }
}

void draw_bar_labels(const BarChart& chart, const LabelFit& fit, double text_pixels) {
  const std::size_t n = chart.values.size();
  set_text_pixels(fit.text_pixels);
  for (std::size_t i = 0; i < n && i < chart.labels.size(); ++i) {
    const double row = fit.staggered && i % 2 == 1 ? 2.7 : 1.4;
    edge_text("b", row * text_pixels / fit.text_pixels, (i + 0.5) / n, 0.5, chart.labels[i]);
  }
  set_text_pixels(text_pixels);
}

void draw_bar_chart(const BarChart& chart, int width, int height) {
  const double t = text_pixels_for(width, height);
  set_text_pixels(t);
  const PixelBox box{static_cast<int>(std::lround(7.4 * t)), static_cast<int>(std::lround(3.6 * t)),
                     width - static_cast<int>(std::lround(1.5 * t)), height - static_cast<int>(std::lround(4.0 * t))};
  const std::size_t n = chart.values.size();
  const LabelFit fit = fit_bar_labels(chart, t, static_cast<double>(box.right - box.left) / n);
  const BarScale scale = bar_scale(chart);
  select_viewport(box, width, height);
  plwind(0.0, static_cast<double>(n), scale.lo, scale.hi);
  const std::vector<YTick> ticks = chart.log_y ? log_ticks(scale.lo, scale.hi) : linear_ticks(scale.lo, scale.hi);
  draw_y_grid(ticks, 0.0, static_cast<double>(n));
  draw_bars(chart, scale, box, t);
  plcol0(kInk);
  plbox("bc", 0.0, 0, "bc", 0.0, 0);
  const double widest = draw_y_ticks(ticks, 0.0, static_cast<double>(n), scale.lo, scale.hi, box, t);
  draw_bar_labels(chart, fit, t);
  edge_text("l", y_label_offset_lines(widest, t), 0.5, 0.5, chart.y_label);
  draw_page_title(chart.title, t);
}

}  // namespace

std::vector<std::uint8_t> bar_chart_png(const BarChart& chart, int width, int height) {
  if (chart.values.empty()) bad_figure("no bars to draw");
  return render_png(width, height, [&] { draw_bar_chart(chart, width, height); });
}

void write_bar_chart(const std::filesystem::path& path, const BarChart& chart, int width, int height) {
  write_png_file(path, [&] { return bar_chart_png(chart, width, height); });
}

}  // namespace wn
