#pragma once
// Pictures of log-mel spectrograms: several panels side by side (input mel, generated audio's
// mel, ...) in one PNG written with libpng, low frequencies at the bottom, one shared colour
// scale so the panels compare.

#include <filesystem>
#include <vector>

namespace wn {

struct MelPanel {
  std::vector<float> mel;  // frames x n_mels, any log scale
  int n_mels = 0;
};

// Each frame is `pixels_per_frame` wide and each mel band 4 pixels high; panels are separated
// by a white gap. Written atomically. Throws IoError on failure.
void write_mel_panels_png(const std::filesystem::path& path, const std::vector<MelPanel>& panels,
                          int pixels_per_frame = 2);

}  // namespace wn
