#include "dataio/figures/spectrogram_figure.h"

#include <plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dataio/figures/axis_ticks.h"
#include "dataio/figures/plot_page.h"
#include "dataio/mel.h"

namespace wn {

using namespace figures;  // the helpers every figure shares (plot_page.h, axis_ticks.h)

namespace {

struct SpectrogramLayout {
  double text_pixels;
  std::vector<PixelBox> panels;  // top first
  PixelBox all_panels;           // their union, for the colour bar
};

SpectrogramLayout spectrogram_layout(std::size_t panel_count, int width, int height) {
  SpectrogramLayout layout;
  const double t = text_pixels_for(width, height);
  layout.text_pixels = t;
  const int top = static_cast<int>(std::lround(3.2 * t));          // figure title
  const int panel_title = static_cast<int>(std::lround(2.3 * t));  // above each panel
  const int bottom = static_cast<int>(std::lround(4.6 * t));       // time ticks and label
  const int left = static_cast<int>(std::lround(6.4 * t));         // "8000" and the frequency label
  const int right = static_cast<int>(std::lround(9.0 * t));        // colour bar, its numbers and label
  const int count = static_cast<int>(std::max<std::size_t>(panel_count, 1));
  const int panel_height = std::max(1, (height - top - bottom - count * panel_title) / count);
  for (int i = 0; i < count; ++i) {
    PixelBox box;
    box.left = left;
    box.right = width - right;
    box.top = top + panel_title + i * (panel_height + panel_title);
    box.bottom = box.top + panel_height;
    layout.panels.push_back(box);
  }
  layout.all_panels = {left, layout.panels.front().top, width - right, layout.panels.back().bottom};
  return layout;
}

void check_panels(const std::vector<SpectrogramPanel>& panels, const SpectrogramAxes& axes) {
  if (panels.empty()) bad_figure("no spectrogram panels to draw");
  for (const auto& p : panels) {
    if (p.n_mels < 2) bad_figure("panel \"" + p.title + "\" has fewer than 2 mel bands");
    if (p.mel.size() < static_cast<std::size_t>(p.n_mels) || p.mel.size() % static_cast<std::size_t>(p.n_mels) != 0) {
      bad_figure("panel \"" + p.title + "\" has no frames or a partial frame");
    }
  }
  if (axes.sample_rate <= 0 || axes.hop_length <= 0) bad_figure("sample rate and hop length must be positive");
  if (!(axes.f_min >= 0 && axes.f_max > axes.f_min)) bad_figure("f_min must be below f_max");
}

Range colour_range_of(const std::vector<SpectrogramPanel>& panels) {
  Range range;
  for (const auto& p : panels) {
    for (float v : p.mel) range.add(v);
  }
  return range.usable();
}

// PLplot wants idata[x][y] as an array of column pointers, one column per frame: frames x n_mels
// row-major is that layout once widened to double. Non-finite cells take the lowest colour: left
// as NaN, PLplot would skip them and show the paper through.
struct ImageColumns {
  std::vector<double> cells;
  std::vector<const double*> columns;
};

// PLplot fills every cell as its own polygon, so frames beyond one per pixel column cost time and
// alias; groups of `frames_per_column` frames are averaged into one column (the last group may be
// short). One frame is drawn as two columns: PLplot divides by columns - 1.
ImageColumns image_columns(const SpectrogramPanel& panel, double floor_value, std::size_t frames_per_column) {
  const auto bands = static_cast<std::size_t>(panel.n_mels);
  const std::size_t frames = panel.mel.size() / bands;
  ImageColumns image;
  for (std::size_t first = 0; first < frames; first += frames_per_column) {
    const std::size_t last = std::min(frames, first + frames_per_column);
    for (std::size_t m = 0; m < bands; ++m) {
      double sum = 0.0;
      for (std::size_t f = first; f < last; ++f) {
        const float v = panel.mel[f * bands + m];
        sum += std::isfinite(v) ? v : floor_value;
      }
      image.cells.push_back(sum / static_cast<double>(last - first));
    }
  }
  if (frames == 1) image.cells.insert(image.cells.end(), image.cells.begin(), image.cells.end());
  for (std::size_t i = 0; i < image.cells.size(); i += bands) image.columns.push_back(image.cells.data() + i);
  return image;
}

// Fills the current window [0, seconds] x [0, n_mels] so that row m covers [m, m+1). plimagefr
// spaces n cells by (max - min) / (n - 1) from min, so each max is given one cell short of the edge.
void draw_mel_image(const SpectrogramPanel& panel, const Range& colours, double seconds, int pixel_columns) {
  const std::size_t frames = panel.mel.size() / static_cast<std::size_t>(panel.n_mels);
  const auto columns_available = static_cast<std::size_t>(std::max(1, pixel_columns));
  const std::size_t frames_per_column = std::max<std::size_t>(1, frames / columns_available);
  const ImageColumns image = image_columns(panel, colours.lo, frames_per_column);
  const auto columns = static_cast<PLINT>(image.columns.size());
  const double column_seconds = seconds / columns;
  plimagefr(image.columns.data(), columns, panel.n_mels, 0.0, seconds - column_seconds, 0.0, panel.n_mels - 1.0,
            colours.lo, colours.hi, colours.lo, colours.hi, nullptr, nullptr);
}

// Ticks at round frequencies, placed at their mel rows; labels that would touch the previous
// one are dropped (0 and 250 Hz sit close together on the mel scale). Returns the widest label.
double draw_frequency_ticks(const SpectrogramAxes& axes, int n_mels, const PixelBox& box, double seconds,
                            double text_pixels) {
  static constexpr double kCandidates[] = {0, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000};
  const double box_pixels = box.bottom - box.top;
  double last_label_pixel = -1e9;
  std::vector<YTick> ticks;
  for (double hz : kCandidates) {
    if (hz < axes.f_min || hz > axes.f_max) continue;
    // f_min and f_max lie half a row beyond the outer rows' centres: pin them to the edges.
    const double row = std::clamp(mel_row_of_hz(hz, n_mels, axes.f_min, axes.f_max), 0.0, static_cast<double>(n_mels));
    const double pixel = row / n_mels * box_pixels;
    if (pixel - last_label_pixel < 1.3 * text_pixels) continue;
    last_label_pixel = pixel;
    char label[16];
    std::snprintf(label, sizeof label, "%.0f", hz);
    ticks.push_back({row, label});
  }
  return draw_y_ticks(ticks, 0.0, seconds, 0.0, n_mels, box, text_pixels);
}

double panel_seconds(const SpectrogramPanel& p, const SpectrogramAxes& axes) {
  return static_cast<double>(p.mel.size() / static_cast<std::size_t>(p.n_mels)) * axes.hop_length / axes.sample_rate;
}

// What every panel is drawn with.
struct PanelFrame {
  const SpectrogramAxes& axes;
  Range colours;
  double seconds;  // the longest panel's: the shared time axis
  double text_pixels;
  int width, height;  // of the page
};

// Each panel's image covers its own duration; a shorter one leaves the rest of the shared time
// axis as paper.
void draw_spectrogram_panel(const SpectrogramPanel& panel, const PixelBox& box, bool bottom_panel,
                            const PanelFrame& f) {
  const double own_seconds = panel_seconds(panel, f.axes);
  PixelBox image_box = box;
  image_box.right = box.left + static_cast<int>(std::lround((box.right - box.left) * own_seconds / f.seconds));
  select_viewport(image_box, f.width, f.height);
  plwind(0.0, own_seconds, 0.0, panel.n_mels);
  draw_mel_image(panel, f.colours, own_seconds, image_box.right - image_box.left);
  select_viewport(box, f.width, f.height);
  plwind(0.0, f.seconds, 0.0, panel.n_mels);
  plcol0(kInk);
  plbox(bottom_panel ? "bcnst" : "bcst", 0.0, 0, "bc", 0.0, 0);
  const double widest = draw_frequency_ticks(f.axes, panel.n_mels, box, f.seconds, f.text_pixels);
  edge_text("l", y_label_offset_lines(widest, f.text_pixels), 0.5, 0.5, "frequency (Hz)");
  if (bottom_panel) edge_text("b", 3.0, 0.5, 0.5, "time (s)");
  set_text_pixels(f.text_pixels * 1.05);
  edge_text("t", 0.9, 0.5, 0.5, panel.title);
  set_text_pixels(f.text_pixels);
}

void draw_colour_bar(const SpectrogramLayout& layout, const Range& colours, const std::string& units, int width,
                     int height) {
  select_viewport(layout.all_panels, width, height);
  plwind(0.0, 1.0, 0.0, 1.0);
  const double box_width = layout.all_panels.right - layout.all_panels.left;
  const double gap = 1.0 * layout.text_pixels / box_width;
  const double bar_width = 1.3 * layout.text_pixels / box_width;
  const std::string label = plplot_text(units.empty() ? std::string("value") : units);
  const char* labels[] = {label.c_str()};
  PLINT label_options[] = {PL_COLORBAR_LABEL_RIGHT};
  const char* axis_options[] = {"bcvtm"};
  PLFLT ticks[] = {0.0};
  PLINT sub_ticks[] = {0};
  PLINT value_counts[] = {2};
  PLFLT value_range[] = {colours.lo, colours.hi};
  const PLFLT* values[] = {value_range};
  PLFLT bar_w = 0, bar_h = 0;
  plcol0(kInk);
  plcolorbar(&bar_w, &bar_h, PL_COLORBAR_IMAGE, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT, gap,
             0.0, bar_width, 1.0, kPaper, kInk, 1, 0.0, 0.0, kInk, 1.0, 1, label_options, labels, 1, axis_options,
             ticks, sub_ticks, value_counts, values);
}

void draw_spectrogram_figure(const std::string& title, const std::vector<SpectrogramPanel>& panels,
                             const SpectrogramAxes& axes, int width, int height) {
  const SpectrogramLayout layout = spectrogram_layout(panels.size(), width, height);
  PanelFrame frame{axes, colour_range_of(panels), 0.0, layout.text_pixels, width, height};
  for (const auto& p : panels) frame.seconds = std::max(frame.seconds, panel_seconds(p, axes));
  set_text_pixels(layout.text_pixels);
  plwidth(1.0);
  for (std::size_t i = 0; i < panels.size(); ++i) {
    draw_spectrogram_panel(panels[i], layout.panels[i], i + 1 == panels.size(), frame);
  }
  draw_colour_bar(layout, frame.colours, axes.units, width, height);
  draw_page_title(title, layout.text_pixels);
}

std::string compression_units(const AudioConfig& audio) {
  const std::string quantity = audio.power == 2 ? "power" : "magnitude";
  if (audio.compression == "db") return "dB";
  if (audio.compression == "ln") return "ln " + quantity;
  return "log10 " + quantity;  // MelSpectrogram's default compression
}

}  // namespace

SpectrogramAxes spectrogram_axes(const AudioConfig& audio) {
  // Validation keeps fmax in (fmin, sample_rate / 2]; MelFilterbank takes both as given.
  return {audio.sample_rate, audio.hop_length, audio.fmin, audio.fmax, compression_units(audio)};
}

double mel_row_of_hz(double hz, int n_mels, double f_min, double f_max) {
  const double lo = hz_to_mel_slaney(f_min), hi = hz_to_mel_slaney(f_max);
  // Fractional filter index whose peak is at hz, plus half a row to reach that row's centre.
  const double filter = (hz_to_mel_slaney(hz) - lo) / (hi - lo) * (n_mels + 1) - 1.0;
  return filter + 0.5;
}

std::vector<PixelBox> spectrogram_panel_boxes(std::size_t panel_count, int width, int height) {
  return spectrogram_layout(panel_count, width, height).panels;
}

std::vector<std::uint8_t> spectrogram_figure_png(const std::string& title, const std::vector<SpectrogramPanel>& panels,
                                                 const SpectrogramAxes& axes, int width, int height) {
  check_panels(panels, axes);
  return render_png(width, height, [&] { draw_spectrogram_figure(title, panels, axes, width, height); });
}

void write_spectrogram_figure(const std::filesystem::path& path, const std::string& title,
                              const std::vector<SpectrogramPanel>& panels, const SpectrogramAxes& axes, int width,
                              int height) {
  write_png_file(path, [&] { return spectrogram_figure_png(title, panels, axes, width, height); });
}

}  // namespace wn
