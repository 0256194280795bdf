#pragma once
// Curves for people (training loss, learning rate, a dream's score over steps), drawn with PLplot
// (dataio/figures/plot_page.h): charts stacked top to bottom, each with its own axes, tick
// labels, title and a legend when it holds more than one series. Safe from any thread and silent
// on stdout and stderr.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wn {

struct Series {
  std::string name;
  std::vector<double> x, y;  // non-finite y (and, on a log axis, y <= 0) leaves a gap
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool log_y = false;
};

// Each chart gets an equal share of the height; legends sit outside the right edge, in one margin
// shared by all charts so their x axes line up. Throws IoError naming the path (line_charts_png:
// "figure: ...") when there are no charts or the file cannot be written; a chart without finite
// values says so inside its frame.
void write_line_charts(const std::filesystem::path& path, const std::vector<LineChart>& charts, int width = 900,
                       int height = 600);
std::vector<std::uint8_t> line_charts_png(const std::vector<LineChart>& charts, int width = 900, int height = 600);

}  // namespace wn
