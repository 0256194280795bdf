#pragma once
// A bar chart for people (a metric by checkpoint, speaker or generator), drawn with PLplot
// (dataio/figures/plot_page.h). Safe from any thread and silent on stdout and stderr.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wn {

struct BarChart {
  std::string title, y_label;
  std::vector<std::string> labels;
  std::vector<double> values;  // one per label
  bool log_y = false;
};

// Horizontal labels under the bars (smaller, then on two staggered rows when they do not fit),
// each bar's value printed above it. Throws IoError naming the path (bar_chart_png:
// "figure: ...") when there are no values or the file cannot be written.
void write_bar_chart(const std::filesystem::path& path, const BarChart& chart, int width = 900, int height = 500);
std::vector<std::uint8_t> bar_chart_png(const BarChart& chart, int width = 900, int height = 500);

}  // namespace wn
