#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>

#include "core/errors.h"
#include "dataio/figures/bar_chart.h"
#include "dataio/figures/line_charts.h"
#include "dataio/figures/spectrogram_figure.h"
#include "dataio/mel.h"
#include "tests/test_support.h"

namespace wn {
namespace {

const SpectrogramAxes kAxes{22050, 256, 0.0, 8000.0, "log10 magnitude"};

struct Rgb {
  int width = 0, height = 0;
  std::vector<unsigned char> pixels;  // RGB, top row first
  const unsigned char* at(int x, int y) const {
    return &pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 3];
  }
};

Rgb decode_png(const std::vector<std::uint8_t>& bytes) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) throw std::runtime_error("not a PNG");
  image.format = PNG_FORMAT_RGB;
  Rgb rgb;
  rgb.width = static_cast<int>(image.width);
  rgb.height = static_cast<int>(image.height);
  rgb.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, rgb.pixels.data(), 0, nullptr)) throw std::runtime_error("bad PNG");
  return rgb;
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  const std::string text = test::read_text(path);
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

// Width and height as the PNG's IHDR chunk states them ({0, 0}: not a PNG).
std::pair<int, int> ihdr_size(const std::vector<std::uint8_t>& png) { return test::png_size(std::string(png.begin(), png.end())); }

// Zero everywhere but one bright mel row: where it lands in the picture is known exactly.
std::vector<float> single_band_mel(int frames, int n_mels, int bright_row) {
  std::vector<float> mel(static_cast<std::size_t>(frames * n_mels), 0.0f);
  for (int f = 0; f < frames; ++f) mel[static_cast<std::size_t>(f * n_mels + bright_row)] = 1.0f;
  return mel;
}

LineChart rising_line() {
  LineChart chart{"rising", "step", "value", {}, false};
  Series s{"value", {}, {}};
  for (int i = 0; i <= 100; ++i) {
    s.x.push_back(i);
    s.y.push_back(i * 0.5);
  }
  chart.series = {s};
  return chart;
}

BarChart three_bars() { return {"three bars", "seconds", {"short", "tall", "middle"}, {1.0, 5.0, 2.0}, false}; }

// Series 0 and the bars are tab10's blue (31, 119, 180), anti-aliased: clearly blue, not grey.
bool blue(const unsigned char* p) { return p[2] > 120 && p[2] > p[0] + 60; }

// What `work` wrote to file descriptors 1 and 2 while it ran.
std::string captured_output(const std::function<void()>& work) {
  std::fflush(stdout);
  std::fflush(stderr);
  FILE* sink = std::tmpfile();
  const int saved_out = dup(1), saved_err = dup(2);
  dup2(fileno(sink), 1);
  dup2(fileno(sink), 2);
  std::string error;
  try {
    work();
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(saved_out);
  close(saved_err);
  std::string text;
  std::rewind(sink);
  for (int c; (c = std::fgetc(sink)) != EOF;) text += static_cast<char>(c);
  std::fclose(sink);
  if (!error.empty()) ADD_FAILURE() << error;
  return text;
}

TEST(Figures, FilesArePngsOfTheRequestedSize) {
  test::TempDir dir;
  const SpectrogramPanel panel{"a", single_band_mel(40, 20, 5), 20};
  write_spectrogram_figure(dir / "s.png", "size", {panel, panel}, kAxes, 640, 360);
  write_line_charts(dir / "l.png", {rising_line(), rising_line()}, 500, 420);
  write_bar_chart(dir / "b.png", three_bars(), 300, 200);
  for (const auto& [name, width, height] :
       std::vector<std::tuple<std::string, int, int>>{{"s.png", 640, 360}, {"l.png", 500, 420}, {"b.png", 300, 200}}) {
    const std::vector<std::uint8_t> png = read_bytes(dir / name);
    EXPECT_EQ(ihdr_size(png), std::make_pair(width, height)) << name;
    const Rgb image = decode_png(png);  // the whole file decodes, not just its header
    EXPECT_EQ(image.width, width) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "s.png.tmp")) << "written through a temporary file, renamed";
}

// A panel that is dark except one bright mel row: inside the panel's box the bright (yellow-white
// end of magma) pixels sit on exactly that row's pixel span, in every column, and nowhere else.
TEST(Figures, SpectrogramPutsABrightMelRowOnItsPixelRows) {
  const int width = 1000, height = 420, n_mels = 40, bright_row = 10;
  const std::vector<std::uint8_t> png = spectrogram_figure_png(
      "band test", {{"one bright row", single_band_mel(200, n_mels, bright_row), n_mels}}, kAxes, width, height);
  const Rgb image = decode_png(png);
  const PixelBox box = spectrogram_panel_boxes(1, width, height).front();
  ASSERT_GT(box.bottom - box.top, 4 * n_mels) << "a box big enough to tell rows apart";
  const double row_pixels = static_cast<double>(box.bottom - box.top) / n_mels;
  // Row m spans [m, m+1) from the bottom edge.
  const double expected_top = box.bottom - (bright_row + 1) * row_pixels;
  const double expected_bottom = box.bottom - bright_row * row_pixels;
  for (const double across : {0.1, 0.5, 0.9}) {
    const int x = box.left + static_cast<int>(across * (box.right - box.left));
    int first = -1, last = -1, runs = 0, dark = 0;
    for (int y = box.top + 2; y < box.bottom - 2; ++y) {
      const unsigned char* p = image.at(x, y);
      if (p[0] > 200 && p[1] > 200) {  // magma's top end is (252, 253, 191)
        if (last != y - 1) ++runs;
        if (first < 0) first = y;
        last = y;
      } else if (p[0] < 40 && p[1] < 40 && p[2] < 40) {
        ++dark;  // magma's bottom end is (0, 0, 4)
      }
    }
    EXPECT_EQ(runs, 1) << "one bright band at x=" << x;
    EXPECT_NEAR(first, expected_top, 1.0) << "x=" << x;
    EXPECT_NEAR(last + 1, expected_bottom, 1.0) << "x=" << x;
    EXPECT_GT(dark, (box.bottom - box.top) * 8 / 10) << "the other rows are dark at x=" << x;
  }
  // The frame is drawn where the layout says: the box's left edge is dark ink.
  const unsigned char* edge = image.at(box.left, (box.top + box.bottom) / 2);
  EXPECT_LT(edge[0] + edge[1] + edge[2], 3 * 90);
}

TEST(Figures, PanelBoxesStackTopToBottomInsideThePage) {
  const std::vector<PixelBox> boxes = spectrogram_panel_boxes(3, 1200, 700);
  ASSERT_EQ(boxes.size(), 3u);
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    EXPECT_GT(boxes[i].left, 0);
    EXPECT_LT(boxes[i].right, 1200);
    EXPECT_LT(boxes[i].top, boxes[i].bottom);
    if (i > 0) {
      EXPECT_GT(boxes[i].top, boxes[i - 1].bottom) << "room for each panel's title";
    }
  }
  EXPECT_LT(boxes.back().bottom, 700);
}

TEST(Figures, MelRowsFollowTheFilterbanksSlaneyScale) {
  // Filter m peaks at edge m+1 of n_mels+2 equally spaced mel edges: 1000 Hz (mel 15) over
  // 0..8000 Hz with 80 bands.
  const double expected = 15.0 / hz_to_mel_slaney(8000.0) * 81 - 1.0 + 0.5;
  EXPECT_NEAR(mel_row_of_hz(1000.0, 80, 0.0, 8000.0), expected, 1e-9);
  EXPECT_NEAR(mel_row_of_hz(125.0, 80, 125.0, 7600.0), -0.5, 1e-9) << "f_min half a row below the bottom row's centre";
  EXPECT_NEAR(mel_row_of_hz(7600.0, 80, 125.0, 7600.0), 80.5, 1e-9);
}

TEST(Figures, AxesComeFromTheAudioRecipe) {
  AudioConfig audio;
  audio.sample_rate = 16000;
  audio.hop_length = 200;
  audio.fmin = 55;
  audio.fmax = 7000;
  SpectrogramAxes axes = spectrogram_axes(audio);
  EXPECT_EQ(axes.sample_rate, 16000);
  EXPECT_EQ(axes.hop_length, 200);
  EXPECT_EQ(axes.f_min, 55.0);
  EXPECT_EQ(axes.f_max, 7000.0);
  EXPECT_EQ(axes.units, "log10 magnitude");
  audio.compression = "ln";
  audio.power = 2;
  EXPECT_EQ(spectrogram_axes(audio).units, "ln power");
  audio.compression = "db";
  EXPECT_EQ(spectrogram_axes(audio).units, "dB");
}

// The blue ink of a line rising from the first point to the last: its extent fills most of the
// page, and it is near the extent's bottom-left and top-right corners, never its top-left.
TEST(Figures, LineChartDrawsTheDataWhereItIs) {
  const int width = 600, height = 400;
  const Rgb image = decode_png(line_charts_png({rising_line()}, width, height));
  int left = width, right = -1, top = height, bottom = -1;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if (!blue(image.at(x, y))) continue;
      left = std::min(left, x);
      right = std::max(right, x);
      top = std::min(top, y);
      bottom = std::max(bottom, y);
    }
  }
  ASSERT_GE(right, 0) << "no series ink";
  EXPECT_GT(right - left, width / 2);
  EXPECT_GT(bottom - top, height / 2);
  auto ink_near = [&](int cx, int cy) {
    for (int y = std::max(0, cy - 6); y <= std::min(height - 1, cy + 6); ++y) {
      for (int x = std::max(0, cx - 6); x <= std::min(width - 1, cx + 6); ++x) {
        if (blue(image.at(x, y))) return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(ink_near(left, bottom)) << "starts bottom-left";
  EXPECT_TRUE(ink_near(right, top)) << "ends top-right";
  EXPECT_FALSE(ink_near(left + 10, top + 10)) << "nothing top-left";
  EXPECT_FALSE(ink_near(right - 10, bottom - 10)) << "nothing bottom-right";
}

// Bars are runs of blue columns; the tallest value's bar reaches highest on the page.
TEST(Figures, BarChartsTallestBarReachesHighest) {
  const int width = 600, height = 400;
  const Rgb image = decode_png(bar_chart_png(three_bars(), width, height));
  std::vector<int> bar_tops;  // per bar, left to right: its highest blue pixel row
  bool in_bar = false;
  for (int x = 0; x < width; ++x) {
    int column_top = -1;
    for (int y = 0; y < height && column_top < 0; ++y) {
      if (blue(image.at(x, y))) column_top = y;
    }
    if (column_top >= 0 && !in_bar) bar_tops.push_back(column_top);
    if (column_top >= 0) bar_tops.back() = std::min(bar_tops.back(), column_top);
    in_bar = column_top >= 0;
  }
  ASSERT_EQ(bar_tops.size(), 3u);
  EXPECT_LT(bar_tops[1], bar_tops[2]) << "5 above 2";
  EXPECT_LT(bar_tops[2], bar_tops[0]) << "2 above 1";
}

TEST(Figures, NothingToDrawOrNowhereToWriteNamesThePath) {
  test::TempDir dir;
  const std::string empty = (dir / "empty.png").string();
  EXPECT_NE(test::error_message<IoError>([&] { write_spectrogram_figure(empty, "t", {}, kAxes); }).find(empty),
            std::string::npos);
  EXPECT_NE(test::error_message<IoError>([&] { write_line_charts(empty, {}); }).find(empty), std::string::npos);
  EXPECT_NE(test::error_message<IoError>([&] { write_bar_chart(empty, BarChart{}); }).find(empty), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(empty));
  const std::string partial_frame = test::error_message<IoError>(
      [&] { spectrogram_figure_png("t", {{"odd", std::vector<float>(7, 0.0f), 4}}, kAxes); });
  EXPECT_EQ(partial_frame.rfind("figure: ", 0), 0u) << partial_frame;
  EXPECT_NE(test::error_message<IoError>([&] { bar_chart_png(three_bars(), 10, 10); }).find("10x10"),
            std::string::npos);
  const std::string nowhere = (dir / "no-such-dir" / "x.png").string();
  EXPECT_NE(test::error_message<IoError>([&] { write_bar_chart(nowhere, three_bars()); }).find(nowhere),
            std::string::npos);
}

// The CLI's stdout is parsed and its stderr is for messages: PLplot's cairo driver prints on its
// own for empty and very long strings, so titles of every kind go through here.
TEST(Figures, DrawingPrintsNothing) {
  test::TempDir dir;
  const std::string long_title(600, 'x');
  const std::string output = captured_output([&] {
    write_spectrogram_figure(dir / "s.png", "", {{"", single_band_mel(3, 8, 2), 8}}, kAxes, 400, 300);
    write_spectrogram_figure(dir / "t.png", "#1 <b>&amp; ünïcode " + long_title,
                             {{long_title, single_band_mel(1, 8, 2), 8}}, kAxes);
    LineChart untitled = rising_line();
    untitled.title = untitled.x_label = untitled.y_label = "";
    Series nothing{"", {0, 1}, {NAN, NAN}};
    write_line_charts(dir / "l.png", {untitled, {"log #axis", "", "", {nothing, untitled.series[0]}, true}});
    write_bar_chart(dir / "b.png", {"", "", {"", long_title}, {0.0, -1.0}, true});
  });
  EXPECT_EQ(output, "");
}

TEST(Figures, ThreadsMayDrawAtOnce) {
  std::vector<std::vector<std::uint8_t>> pngs(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < pngs.size(); ++i) {
    threads.emplace_back([&, i] {
      pngs[i] = i % 2 == 0 ? line_charts_png({rising_line()}, 300, 200) : bar_chart_png(three_bars(), 300, 200);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& png : pngs) EXPECT_EQ(ihdr_size(png), std::make_pair(300, 200));
}

}  // namespace
}  // namespace wn
