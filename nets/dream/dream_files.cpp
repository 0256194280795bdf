#include "nets/dream/dream_files.h"

#include <cstdio>
#include <sstream>

#include "core/atomic_file.h"
#include "core/progress.h"
#include "dataio/audio_io.h"
#include "dataio/line_plot_png.h"
#include "dataio/mel.h"
#include "dataio/spectrogram_png.h"
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

std::vector<LinePlot> curves(const std::vector<DreamStep>& steps, bool with_realness) {
  std::vector<LinePlot> plots = {{"score", {}}, {"range penalty", {}}, {"out-of-band power", {}},
                                 {"total variation", {}}};
  if (with_realness) plots.push_back({"realness (log p)", {}});
  for (const DreamStep& s : steps) {
    plots[0].values.push_back(s.score);
    plots[1].values.push_back(s.range);
    plots[2].values.push_back(s.out_of_band);
    plots[3].values.push_back(s.total_variation);
    if (with_realness) plots[4].values.push_back(s.realness);
  }
  return plots;
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
  write_mel_panels_png(summary.files.mels_png, {{mel_before, n_mels}, {mel_after, n_mels}});
  write_line_plots_png(summary.files.curves_png, curves(summary.result.steps, discriminator != nullptr));
  write_file_atomically(summary.files.steps_csv, steps_csv(summary.result.steps));
  return summary;
}

}  // namespace wn
