#pragma once
// Curves over steps as a PNG: one panel per series, stacked, each with its own vertical range,
// a title and its minimum, maximum and last value in a small built-in pixel font (no font
// library needed). For the numbers themselves, write a CSV alongside.

#include <filesystem>
#include <string>
#include <vector>

namespace wn {

struct LinePlot {
  std::string title;           // shown upper-case; letters, digits and . - + : _ / ( ) , = only
  std::vector<double> values;  // one per step; non-finite values leave a gap
};

// Throws IoError when there is nothing to draw or the file cannot be written.
void write_line_plots_png(const std::filesystem::path& path, const std::vector<LinePlot>& plots, int width = 640,
                          int panel_height = 120);

// The text a panel shows as its label: "TITLE  MIN a  MAX b  LAST c" with three significant figures.
std::string line_plot_label(const LinePlot& plot);

}  // namespace wn
