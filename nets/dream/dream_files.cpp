#include "nets/dream/dream_files.h"

#include <cstdio>
#include <sstream>

#include "core/atomic_file.h"
#include "core/progress.h"
#include "dataio/audio_io.h"
#include "dataio/figures/line_charts.h"
#include "dataio/figures/spectrogram_figure.h"
#include "dataio/mel.h"
#include "nets/critic_scoring.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

std::string steps_csv(const std::vector<DreamStep>& steps) {
  std::ostringstream csv;
  csv.precision(8);
  csv << "step,score,range,out_of_band,total_variation,realness\n";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const DreamStep& s = steps[i];
    csv << i + 1 << ',' << s.score << ',' << s.range << ',' << s.out_of_band << ',' << s.total_variation << ','
        << s.realness << '\n';
  }
  return csv.str();
}

// One chart per figure of a step (their scales have nothing in common), x the step.
std::vector<LineChart> curves(const std::vector<DreamStep>& steps, bool with_realness) {
  struct Curve {
    const char* title;
    double DreamStep::*value;
  };
  std::vector<Curve> wanted = {{"critic score", &DreamStep::score},
                               {"range penalty", &DreamStep::range},
                               {"out-of-band power", &DreamStep::out_of_band},
                               {"total variation", &DreamStep::total_variation}};
  if (with_realness) wanted.push_back({"realness (log p)", &DreamStep::realness});
  std::vector<LineChart> charts;
  for (const Curve& curve : wanted) {
    Series series{curve.title, {}, {}};
    for (std::size_t i = 0; i < steps.size(); ++i) {
      series.x.push_back(static_cast<double>(i + 1));  // as steps.csv counts them
      series.y.push_back(steps[i].*curve.value);
    }
    charts.push_back({curve.title, "step", "", {series}, false});
  }
  return charts;
}

}  // namespace

DreamFiles dream_file_names(const fs::path& out) {
  const fs::path stem = out.parent_path() / out.stem();
  return {out, stem.string() + "_mels.png", stem.string() + "_curves.png", stem.string() + "_steps.csv"};
}

DreamSummary dream_to_files(const LoadedModel& critic, const LoadedModel* discriminator, const DreamConfig& settings,
                            const std::vector<float>& start, const fs::path& out, bool show_progress) {
  const Dreamer dreamer(critic, settings, discriminator);
  const MelSpectrogram mel(critic.config.audio);
  const int64_t label = dreamer.label();
  DreamSummary summary;
  summary.files = dream_file_names(out);
  const std::vector<float> mel_before = mel.compressed(start);
  summary.score_before = score_clip(critic, mel_before, label).score;
  {
    std::unique_ptr<ProgressBar> bar;
    ProgressOptions steps;
    steps.unit = "step";
    if (show_progress) bar = std::make_unique<ProgressBar>("dream", settings.steps, steps);
    summary.result = dreamer.run(start, [&](int, const DreamStep& step) {
      if (!bar) return;
      char detail[48];
      std::snprintf(detail, sizeof detail, "score %.4g", step.score);
      bar->set_detail(detail);
      bar->advance();
    });
  }
  const std::vector<float> mel_after = mel.compressed(summary.result.audio);
  summary.score_after = score_clip(critic, mel_after, label).score;

  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  write_wav(summary.files.audio, summary.result.audio, critic.config.audio.sample_rate);
  const int n_mels = critic.config.audio.n_mels;
  char before[64], after[64];
  std::snprintf(before, sizeof before, "start: score %.4g", summary.score_before);
  std::snprintf(after, sizeof after, "dream after %zu steps: score %.4g", summary.result.steps.size(),
                summary.score_after);
  write_spectrogram_figure(summary.files.mels_png, out.stem().string() + ": the start and the dream",
                           {{before, mel_before, n_mels}, {after, mel_after, n_mels}},
                           spectrogram_axes(critic.config.audio));
  const std::vector<LineChart> charts = curves(summary.result.steps, discriminator != nullptr);
  write_line_charts(summary.files.curves_png, charts, kDreamCurvesWidth,
                    kDreamCurveHeight * static_cast<int>(charts.size()));
  write_file_atomically(summary.files.steps_csv, steps_csv(summary.result.steps));
  return summary;
}

}  // namespace wn
