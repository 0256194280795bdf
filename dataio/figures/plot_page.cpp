#include "dataio/figures/plot_page.h"

#include <plplot.h>
#include <stdio.h>   // open_memstream (POSIX)
#include <stdlib.h>  // free

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string_view>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn::figures {
namespace {

constexpr int kColourCount = 16;

constexpr std::array<std::array<int, 3>, 10> kSeriesColours = {{{31, 119, 180},
                                                                 {255, 127, 14},
                                                                 {44, 160, 44},
                                                                 {214, 39, 40},
                                                                 {148, 103, 189},
                                                                 {140, 86, 75},
                                                                 {227, 119, 194},
                                                                 {127, 127, 127},
                                                                 {188, 189, 34},
                                                                 {23, 190, 207}}};  // matplotlib's tab10

void set_indexed_colours() {
  plscmap0n(kColourCount);
  plscol0(kPaper, 255, 255, 255);
  plscol0(kInk, 0, 0, 0);
  for (std::size_t i = 0; i < kSeriesColours.size(); ++i) {
    const auto& c = kSeriesColours[i];
    plscol0(kFirstSeries + static_cast<PLINT>(i), c[0], c[1], c[2]);
  }
  plscol0(kGrid, 225, 225, 225);
  plscol0(kBar, 31, 119, 180);
}

// Magma (matplotlib, perceptually uniform, dark = quiet), sampled at 0, 0.1, ..., 1. Spread into
// a 256-entry table here, in RGB: plscmap1l would interpolate in HLS, which swings through
// unrelated hues where magma crosses red (hue 360 -> 0).
constexpr std::array<std::array<int, 3>, 11> kMagma = {{{0, 0, 4},
                                                        {20, 14, 54},
                                                        {59, 15, 112},
                                                        {100, 26, 128},
                                                        {140, 41, 129},
                                                        {183, 55, 121},
                                                        {222, 73, 104},
                                                        {247, 112, 92},
                                                        {254, 159, 109},
                                                        {254, 207, 146},
                                                        {252, 253, 191}}};

void set_magma_ramp() {
  constexpr int kEntries = 256;
  std::array<PLINT, kEntries> r{}, g{}, b{};
  for (int i = 0; i < kEntries; ++i) {
    const double position = static_cast<double>(i) / (kEntries - 1) * (kMagma.size() - 1);
    const auto below = std::min<std::size_t>(static_cast<std::size_t>(position), kMagma.size() - 2);
    const double t = position - static_cast<double>(below);
    auto mix = [&](std::size_t channel) {
      return static_cast<PLINT>(std::lround(kMagma[below][channel] * (1 - t) + kMagma[below + 1][channel] * t));
    };
    r[i] = mix(0);
    g[i] = mix(1);
    b[i] = mix(2);
  }
  plscmap1n(kEntries);
  plscmap1(r.data(), g.data(), b.data(), kEntries);
}

std::mutex& plplot_mutex() {
  static std::mutex mutex;
  return mutex;
}

// PLplot prompts on stdin for a device (and prints the menu to stdout) when the requested one is
// missing, so the driver's presence is checked before plinit. The answer does not change.
bool pngcairo_driver_present() {
  static const bool present = [] {
    constexpr int kMaxDevices = 128;
    std::array<const char*, kMaxDevices> menus{}, names{};
    const char** menu_list = menus.data();
    const char** name_list = names.data();
    int count = kMaxDevices;
    plgDevs(&menu_list, &name_list, &count);
    for (int i = 0; i < count; ++i) {
      if (name_list[i] != nullptr && std::strcmp(name_list[i], "pngcairo") == 0) return true;
    }
    return false;
  }();
  return present;
}

// A fresh PLplot stream drawing a width x height pngcairo page into an in-memory FILE. Handing
// PLplot an open FILE (plsfile) matters: given a file name instead, it retries fopen 11 times,
// printing each failure, then exit()s the process. Errors PLplot reports with plabort go into
// this object's buffer (plsError) instead of stderr. Used under plplot_mutex() only.
class PngPage {
 public:
  PngPage(int width, int height) {
    if (width < 64 || height < 64 || width > 16384 || height > 16384) {
      bad_figure("size " + std::to_string(width) + "x" + std::to_string(height) +
                 " is out of range (64 to 16384 pixels a side)");
    }
    plgstrm(&previous_stream_);
    plmkstrm(&stream_);
    if (stream_ < 0) bad_figure("PLplot has no free stream");
    try {
      start(width, height);
    } catch (...) {  // the destructor will not run: release the stream and memory here
      end_stream();
      free(bytes_);
      throw;
    }
  }

  PngPage(const PngPage&) = delete;  // PLplot holds pointers to error_code_ and error_message_
  PngPage& operator=(const PngPage&) = delete;

  ~PngPage() {
    end_stream();
    free(bytes_);
  }

  // Ends the stream (which writes the PNG and closes the memory file) and returns the bytes.
  std::vector<std::uint8_t> finish() {
    throw_if_plplot_failed();
    end_stream();
    static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (bytes_ == nullptr || byte_count_ < 8 || std::memcmp(bytes_, kSignature, 8) != 0) {
      bad_figure("PLplot produced no PNG");
    }
    return std::vector<std::uint8_t>(bytes_, bytes_ + byte_count_);
  }

 private:
  void throw_if_plplot_failed() const {
    if (error_code_ != 0) bad_figure(std::string("PLplot: ") + error_message_);
  }

  void start(int width, int height) {
    plsError(&error_code_, error_message_);
    if (!pngcairo_driver_present()) {
      bad_figure("PLplot's pngcairo driver is missing (install plplot-driver-cairo, or set PLPLOT_DRV_DIR)");
    }
    memory_ = open_memstream(&bytes_, &byte_count_);
    if (memory_ == nullptr) bad_figure("cannot open an in-memory file");
    plsfile(memory_);
    plsdev("pngcairo");
    plspage(0.0, 0.0, width, height, 0, 0);  // for pngcairo the lengths are pixels
    set_indexed_colours();
    set_magma_ramp();
    plinit();
    initialised_ = true;
    pladv(0);
    // Plain numbers of up to six digits ("300000", "0.012") instead of a separate "(x10^5)"
    // that PLplot puts where the axis title goes.
    plsxax(6, 0);
    plsyax(6, 0);
    throw_if_plplot_failed();
  }

  void end_stream() {
    if (stream_ < 0) return;
    plsstrm(stream_);
    plend1();  // after plinit this also writes the PNG and fclose()s memory_: PLplot owns it then
    if (!initialised_ && memory_ != nullptr) fclose(memory_);
    memory_ = nullptr;
    stream_ = -1;
    plsstrm(previous_stream_);
  }

  PLINT previous_stream_ = 0;
  PLINT stream_ = -1;
  bool initialised_ = false;
  FILE* memory_ = nullptr;
  char* bytes_ = nullptr;
  std::size_t byte_count_ = 0;
  PLINT error_code_ = 0;
  char error_message_[2048] = {};  // PLplot sprintf()s into it: keep messages we pass short
};

constexpr std::string_view kFigurePrefix = "figure: ";

// Cairo asks Pango for a font of chrht * 72 / 25.4 points for PLplot's character height chrht
// (mm), and Pango renders at 96 dpi. 0.36 mm per pixel gives DejaVu Sans capitals of that
// height (measured on renders).
constexpr double kMmPerTextPixel = 0.36;

}  // namespace

int series_colour(std::size_t index) { return kFirstSeries + static_cast<int>(index % kSeriesColours.size()); }

void bad_figure(const std::string& reason) { throw IoError(std::string(kFigurePrefix) + reason); }

std::vector<std::uint8_t> render_png(int width, int height, const std::function<void()>& draw) {
  std::lock_guard<std::mutex> lock(plplot_mutex());
  PngPage page(width, height);
  draw();
  return page.finish();
}

void write_png_file(const std::filesystem::path& path, const std::function<std::vector<std::uint8_t>()>& render) {
  std::vector<std::uint8_t> png;
  try {
    png = render();
  } catch (const IoError& e) {
    std::string_view reason = e.what();
    if (reason.substr(0, kFigurePrefix.size()) == kFigurePrefix) reason.remove_prefix(kFigurePrefix.size());
    throw IoError(path.string() + ": " + std::string(reason));
  }
  write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

void pop_utf8_character(std::string& text) {
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  if (!text.empty()) text.pop_back();  // the lead byte, or a plain ASCII character
}

std::string plplot_text(const std::string& text) {
  constexpr std::size_t kMaxBytes = 200;
  std::string cut = text.substr(0, kMaxBytes);
  const bool cut_inside_a_character =
      text.size() > kMaxBytes && (static_cast<unsigned char>(text[kMaxBytes]) & 0xC0) == 0x80;
  if (cut_inside_a_character) pop_utf8_character(cut);
  std::string escaped;
  for (char c : cut) {
    escaped += c;
    if (c == '#') escaped += '#';  // '#' starts a PLplot escape sequence
  }
  return escaped;
}

void edge_text(const char* side, double offset_in_lines, double position, double justification,
               const std::string& text) {
  const std::string safe = plplot_text(text);
  if (!safe.empty()) plmtex(side, offset_in_lines, position, justification, safe.c_str());
}

void set_text_pixels(double pixels) { plschr(pixels * kMmPerTextPixel, 1.0); }

double text_pixels_for(int width, int height) { return std::clamp(std::min(width, height) / 42.0, 9.0, 18.0); }

// Per-glyph widths in cap heights, measured on DejaVu Sans renders.
double text_width_pixels(const std::string& text, double text_pixels) {
  double caps = 0.0;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    if (std::isdigit(u) || std::isupper(u)) {
      caps += 0.87;
    } else if (c == ' ' || c == '.' || c == ',' || c == 'i' || c == 'l' || c == 'j' || c == '(' || c == ')') {
      caps += 0.45;
    } else {
      caps += 0.72;
    }
  }
  return caps * text_pixels;
}

void select_viewport(const PixelBox& box, int width, int height) {
  plvpor(static_cast<double>(box.left) / width, static_cast<double>(box.right) / width,
         1.0 - static_cast<double>(box.bottom) / height, 1.0 - static_cast<double>(box.top) / height);
}

void draw_page_title(const std::string& title, double text_pixels) {
  if (title.empty()) return;
  plvpor(0.0, 1.0, 0.0, 1.0);
  plwind(0.0, 1.0, 0.0, 1.0);
  set_text_pixels(text_pixels * 1.25);
  plcol0(kInk);
  edge_text("t", -1.6, 0.5, 0.5, title);
  set_text_pixels(text_pixels);
}

}  // namespace wn::figures
