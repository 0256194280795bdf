#pragma once
// What the figures of dataio/figures share, internal to them: one PLplot page rendered to PNG
// bytes in memory under a process-wide lock, the colour tables, text and layout helpers, and
// writing the bytes to a file atomically. Only the figure sources include this header; it keeps
// <plplot.h> out so the public figure headers stay free of PLplot.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dataio/figures/pixel_box.h"

namespace wn::figures {

// Indices into PLplot's indexed colour map (cmap0), set up for every page. The continuous map
// (cmap1) is the magma ramp, for spectrograms.
enum Colour : int { kPaper = 0, kInk = 1, kFirstSeries = 2, kGrid = 12, kBar = 13 };

// Series colours cycle through matplotlib's ten "tab10" colours.
int series_colour(std::size_t index);

// Bad input to a figure: throws IoError("figure: <reason>"); write_png_file puts the path in its place.
[[noreturn]] void bad_figure(const std::string& reason);

// Runs `draw` on a fresh width x height pngcairo page and returns the PNG. PLplot's streams and
// dispatch table are process globals, so the whole page is drawn under one mutex: safe from any
// thread. Nothing reaches stdout or stderr; PLplot's own errors become IoError("figure: ...").
std::vector<std::uint8_t> render_png(int width, int height, const std::function<void()>& draw);

// Renders, then writes the PNG atomically (readers never see half a file). Every error names `path`.
void write_png_file(const std::filesystem::path& path, const std::function<std::vector<std::uint8_t>()>& render);

// Text as PLplot must be given it: '#' escaped, cut to 200 bytes at a character boundary. The
// cairo driver has printf()s to stdout for strings it refuses (empty, or 500+ characters); 5.15
// does not reach them through plmtex, but nothing we pass can, so empty stays empty for callers
// to skip.
std::string plplot_text(const std::string& text);

// Text beside the current viewport (plmtex with side "t", "b", "l", "r"), skipped when empty.
void edge_text(const char* side, double offset_in_lines, double position, double justification,
               const std::string& text);

// Removes the last whole UTF-8 character (all its bytes).
void pop_utf8_character(std::string& text);

// Figures size text by the height of capitals in pixels.
void set_text_pixels(double pixels);
// One text size for a figure, from its smaller side, so thumbnails and large figures both read.
double text_pixels_for(int width, int height);
// Rough width of `text` in pixels (PLplot's public API cannot measure text), for margins and fitting.
double text_width_pixels(const std::string& text, double text_pixels);

// Makes `box` (pixels from the page's top-left corner) the current viewport.
void select_viewport(const PixelBox& box, int width, int height);
// A larger title centred at the top of the page; nothing when empty.
void draw_page_title(const std::string& title, double text_pixels);

}  // namespace wn::figures
