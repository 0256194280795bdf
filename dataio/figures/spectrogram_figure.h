#pragma once
// Mel spectrograms for people, drawn with PLplot (dataio/figures/plot_page.h): panels stacked on
// one time axis in seconds, frequency in Hz at the mel rows where it falls, one shared colour
// scale with a labelled colour bar, panel titles and a figure title. Safe from any thread and
// silent on stdout and stderr.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "dataio/figures/pixel_box.h"

namespace wn {

// How a mel spectrogram's rows map to seconds and Hz.
struct SpectrogramAxes {
  int sample_rate = 22050;
  int hop_length = 256;
  double f_min = 0, f_max = 8000;         // the mel filterbank's band
  std::string units = "log10 magnitude";  // colour bar label
};

// The axes of mels made with the recipe `audio` (dataio/mel.h's MelSpectrogram): its rate, hop,
// filterbank band and compression ("log10 magnitude", "ln power", "dB", ...).
SpectrogramAxes spectrogram_axes(const AudioConfig& audio);

struct SpectrogramPanel {
  std::string title;       // e.g. "input mel: LJ001-0001" or "wavenet step 2000: generated"
  std::vector<float> mel;  // frames x n_mels, row-major, any log scale; non-finite cells take the lowest colour
  int n_mels = 0;
};

// Panels stacked top to bottom on one time axis (seconds, so the same instant lines up in every
// panel; a shorter panel leaves paper on its right), sharing one colour scale and one colour
// bar. Throws IoError naming the path (spectrogram_figure_png: "figure: ...") when there is
// nothing to draw, a panel is malformed, or the file cannot be written.
void write_spectrogram_figure(const std::filesystem::path& path, const std::string& title,
                              const std::vector<SpectrogramPanel>& panels, const SpectrogramAxes& axes,
                              int width = 1200, int height = 500);
std::vector<std::uint8_t> spectrogram_figure_png(const std::string& title, const std::vector<SpectrogramPanel>& panels,
                                                 const SpectrogramAxes& axes, int width = 1200, int height = 500);

// Where frequency `hz` falls on the spectrogram's vertical axis, in rows from the bottom edge
// (row m spans [m, m+1]), on the Slaney mel scale of dataio/mel.h. Filter m of the filterbank
// peaks at mel edge m+1 of n_mels+2 equally spaced edges from f_min to f_max, so f_min and f_max
// land half a row outside [0, n_mels].
double mel_row_of_hz(double hz, int n_mels, double f_min, double f_max);

// The boxes write_spectrogram_figure draws its panels' images in, top panel first.
std::vector<PixelBox> spectrogram_panel_boxes(std::size_t panel_count, int width, int height);

}  // namespace wn
