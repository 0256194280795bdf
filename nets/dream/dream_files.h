#pragma once
// One dream from start to files, shared by `wavenet dream` and the rating demo: the ascent with
// a progress bar showing the score, then OUT (the wav), OUT_mels.png (the start's log-mel above
// the dream's), OUT_curves.png (score and each regulariser over the steps, one chart each) and
// OUT_steps.csv (the same figures, one row per step). The scores before and after are measured
// on the audio as `rate` would score it: dataio's mel, no random shift.

#include <filesystem>
#include <vector>

#include "nets/dream/dreamer.h"

namespace wn {

struct DreamFiles {
  std::filesystem::path audio, mels_png, curves_png, steps_csv;
};

// OUT_curves.png is this wide and this tall per chart.
constexpr int kDreamCurvesWidth = 900;
constexpr int kDreamCurveHeight = 250;

// OUT's siblings: dream.wav -> dream_mels.png, dream_curves.png, dream_steps.csv.
DreamFiles dream_file_names(const std::filesystem::path& out);

struct DreamSummary {
  double score_before = 0.0, score_after = 0.0;  // the critic's units, as `rate` prints them
  DreamFiles files;
  DreamResult result;
};

DreamSummary dream_to_files(const LoadedModel& critic, const LoadedModel* discriminator, const DreamConfig& settings,
                            const std::vector<float>& start, const std::filesystem::path& out, bool show_progress);

}  // namespace wn
