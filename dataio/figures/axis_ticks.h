#pragma once
// Value ranges and hand-placed y ticks for the figures of dataio/figures (internal to them).
// PLplot's own ticks come only evenly spaced, and on a log axis only at whole decades (none on a
// range inside one decade); mel rows and short log ranges need others.

#include <limits>
#include <string>
#include <vector>

#include "dataio/figures/pixel_box.h"

namespace wn::figures {

// Value range of the finite numbers added, widened when empty or flat so windows stay valid.
struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double value);
  bool empty() const { return !(lo <= hi); }
  Range usable() const;
};

// A log axis is drawn as a linear one over log10 of the data; y <= 0 has no place on it (NaN).
double plotted_y(double y, bool log_y);

struct YTick {
  double value;       // in the window's (plotted) units
  std::string label;  // PLplot text, already escaped; empty: a tick mark only
};

// About five ticks at 1, 2 or 5 times a power of ten, all labelled in one format.
std::vector<YTick> linear_ticks(double lo, double hi);
// Ticks for a window in log10 units: decades when there are plenty, else 1-2-5 or 1..9 steps
// within each decade so a range inside one decade still gets labels.
std::vector<YTick> log_ticks(double log_lo, double log_hi);
// Plain decimals for everyday magnitudes, "m×10^k" (PLplot superscript escapes) otherwise.
std::string tick_number(double value);
// Numbers on value labels: four significant digits, "n/a" for non-finite values.
std::string short_number(double value);

// Light lines across the current window at each tick, drawn before the data so it stays on top.
void draw_y_grid(const std::vector<YTick>& ticks, double x_lo, double x_hi);
// Tick marks inside both vertical edges of the current window [x_lo, x_hi] x [y_lo, y_hi] (drawn
// in `box`) and labels left of it; a label closer than 1.4 lines to the previous one is left out.
// Returns the widest label's width in pixels, which decides how far out the axis title goes.
double draw_y_ticks(const std::vector<YTick>& ticks, double x_lo, double x_hi, double y_lo, double y_hi,
                    const PixelBox& box, double text_pixels);
// Offset in lines for a y-axis title that clears tick labels `widest_tick_label_pixels` wide.
double y_label_offset_lines(double widest_tick_label_pixels, double text_pixels);

}  // namespace wn::figures
