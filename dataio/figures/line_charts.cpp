#include "dataio/figures/line_charts.h"

#include <plplot.h>

#include <algorithm>
#include <cmath>

#include "dataio/figures/axis_ticks.h"
#include "dataio/figures/plot_page.h"

namespace wn {

using namespace figures;  // the helpers every figure shares (plot_page.h, axis_ticks.h)

namespace {

// Each run of consecutive finite points becomes one polyline, so a non-finite value is a gap.
void draw_series(const Series& series, bool log_y, int colour) {
  const std::size_t n = std::min(series.x.size(), series.y.size());
  std::vector<double> xs, ys;
  auto flush = [&] {
    if (xs.size() == 1) plpoin(1, xs.data(), ys.data(), 17);  // an isolated point: a filled dot, visible
    if (xs.size() > 1) plline(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
    xs.clear();
    ys.clear();
  };
  plcol0(colour);
  for (std::size_t i = 0; i < n; ++i) {
    const double y = plotted_y(series.y[i], log_y);
    if (std::isfinite(series.x[i]) && std::isfinite(y)) {
      xs.push_back(series.x[i]);
      ys.push_back(y);
    } else {
      flush();
    }
  }
  flush();
}

struct ChartRanges {
  Range x, y;
};

ChartRanges chart_ranges(const LineChart& chart) {
  ChartRanges r;
  for (const auto& s : chart.series) {
    const std::size_t n = std::min(s.x.size(), s.y.size());
    for (std::size_t i = 0; i < n; ++i) {
      const double y = plotted_y(s.y[i], chart.log_y);
      if (!std::isfinite(s.x[i]) || !std::isfinite(y)) continue;
      r.x.add(s.x[i]);
      r.y.add(y);
    }
  }
  return r;
}

bool has_legend(const LineChart& chart) { return chart.series.size() > 1; }

// Longest legend text that fits the right margin (see legend_margin_pixels); longer names are cut.
double legend_text_budget_pixels(double text_pixels, int width) { return 0.4 * width - 7.0 * text_pixels; }

std::string fit_legend_name(const std::string& name, double text_pixels, int width) {
  std::string cut = name.empty() ? std::string(" ") : name;
  const double budget = legend_text_budget_pixels(text_pixels, width);
  if (text_width_pixels(cut, text_pixels) <= budget) return cut;
  while (cut.size() > 1 && text_width_pixels(cut + "...", text_pixels) > budget) pop_utf8_character(cut);
  return cut + "...";
}

void draw_legend(const LineChart& chart, double text_pixels, double box_width, int width) {
  std::vector<std::string> names;
  for (const auto& s : chart.series) names.push_back(plplot_text(fit_legend_name(s.name, text_pixels, width)));
  const std::size_t n = names.size();
  std::vector<const char*> texts;
  for (const auto& name : names) texts.push_back(name.c_str());
  std::vector<PLINT> options(n, PL_LEGEND_LINE), text_colours(n, kInk), line_colours(n), line_styles(n, 1);
  std::vector<PLFLT> line_widths(n, 2.0);
  for (std::size_t i = 0; i < n; ++i) line_colours[i] = series_colour(i);
  PLFLT legend_w = 0, legend_h = 0;
  const double sample_length = 2.2 * text_pixels / box_width;
  pllegend(&legend_w, &legend_h, PL_LEGEND_BACKGROUND, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT,
           0.02, 0.0, sample_length, kPaper, kInk, 1, 0, 0, static_cast<PLINT>(n), options.data(), 0.8, 1.0, 1.8, 0.0,
           text_colours.data(), texts.data(), nullptr, nullptr, nullptr, nullptr, line_colours.data(),
           line_styles.data(), line_widths.data(), nullptr, nullptr, nullptr, nullptr);
}

void draw_line_chart(const LineChart& chart, const PixelBox& box, double text_pixels, int width, int height) {
  select_viewport(box, width, height);
  const ChartRanges ranges = chart_ranges(chart);
  const Range x = ranges.x.usable(), y = ranges.y.usable();
  const double pad = (y.hi - y.lo) * 0.05;  // keep curves off the frame
  const double y_lo = y.lo - pad, y_hi = y.hi + pad;
  plwind(x.lo, x.hi, y_lo, y_hi);
  const std::vector<YTick> ticks = chart.log_y ? log_ticks(y_lo, y_hi) : linear_ticks(y_lo, y_hi);
  plwidth(1.0);
  plcol0(kGrid);
  plbox("g", 0.0, 0, "", 0.0, 0);
  draw_y_grid(ticks, x.lo, x.hi);
  plwidth(1.6);
  for (std::size_t i = 0; i < chart.series.size(); ++i) draw_series(chart.series[i], chart.log_y, series_colour(i));
  plwidth(1.0);
  plcol0(kInk);
  plbox("bcnst", 0.0, 0, "bc", 0.0, 0);
  const double widest = draw_y_ticks(ticks, x.lo, x.hi, y_lo, y_hi, box, text_pixels);
  edge_text("b", 3.0, 0.5, 0.5, chart.x_label);
  edge_text("l", y_label_offset_lines(widest, text_pixels), 0.5, 0.5, chart.y_label);
  set_text_pixels(text_pixels * 1.1);
  edge_text("t", 0.7, 0.5, 0.5, chart.title);
  set_text_pixels(text_pixels);
  if (has_legend(chart)) draw_legend(chart, text_pixels, box.right - box.left, width);
  if (ranges.y.empty()) edge_text("t", -2.0, 0.5, 0.5, "no finite values");
}

// Right margin wide enough for the widest legend, shared by all charts so their x axes align.
int legend_margin_pixels(const std::vector<LineChart>& charts, double text_pixels, int width) {
  double widest = 0.0;
  for (const auto& c : charts) {
    if (!has_legend(c)) continue;
    for (const auto& s : c.series) {
      widest = std::max(widest, text_width_pixels(fit_legend_name(s.name, text_pixels, width), text_pixels));
    }
  }
  if (widest == 0.0) return static_cast<int>(std::lround(2.0 * text_pixels));
  return static_cast<int>(std::lround(widest + 7.0 * text_pixels));  // gap, line sample, padding
}

std::vector<PixelBox> line_chart_boxes(const std::vector<LineChart>& charts, double text_pixels, int width,
                                       int height) {
  const int top = static_cast<int>(std::lround(0.6 * text_pixels));
  const int title_band = static_cast<int>(std::lround(2.4 * text_pixels));
  const int axis_band = static_cast<int>(std::lround(4.2 * text_pixels));  // tick numbers and x label
  const int left = static_cast<int>(std::lround(7.4 * text_pixels));
  const int right = legend_margin_pixels(charts, text_pixels, width);
  const int count = static_cast<int>(charts.size());
  const int chart_height = std::max(1, (height - top - count * (title_band + axis_band)) / count);
  std::vector<PixelBox> boxes;
  for (int i = 0; i < count; ++i) {
    PixelBox box;
    box.left = left;
    box.right = width - right;
    box.top = top + title_band + i * (title_band + chart_height + axis_band);
    box.bottom = box.top + chart_height;
    boxes.push_back(box);
  }
  return boxes;
}

// The page's text size, smaller when many charts share the height: each chart's title, tick
// numbers and x label take 6.6 lines, and its plot keeps at least half of its share.
double chart_text_pixels(std::size_t chart_count, int width, int height) {
  const double share = static_cast<double>(height) / static_cast<double>(std::max<std::size_t>(chart_count, 1));
  return std::max(9.0, std::min(text_pixels_for(width, height), share / (2 * 6.6)));
}

void draw_line_charts(const std::vector<LineChart>& charts, int width, int height) {
  const double text_pixels = chart_text_pixels(charts.size(), width, height);
  set_text_pixels(text_pixels);
  const auto boxes = line_chart_boxes(charts, text_pixels, width, height);
  for (std::size_t i = 0; i < charts.size(); ++i) draw_line_chart(charts[i], boxes[i], text_pixels, width, height);
}

}  // namespace

std::vector<std::uint8_t> line_charts_png(const std::vector<LineChart>& charts, int width, int height) {
  if (charts.empty()) bad_figure("no charts to draw");
  return render_png(width, height, [&] { draw_line_charts(charts, width, height); });
}

void write_line_charts(const std::filesystem::path& path, const std::vector<LineChart>& charts, int width, int height) {
  write_png_file(path, [&] { return line_charts_png(charts, width, height); });
}

}  // namespace wn
