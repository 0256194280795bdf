// `wavenet dream --checkpoint C --seconds S [--init noise|FILE] [--steps N] --out F`: gradient
// ascent on a waveform to raise a trained critic's score (nets/dream), with the `dream:` settings
// of the checkpoint under dream.key=value arguments.

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <memory>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/features.h"
#include "experiments/cli_common.h"
#include "nets/dream/dream_files.h"

namespace wn::cli {
namespace {

struct DreamArgs {
  std::string checkpoint;
  double seconds = 2.0;
  std::string init = "noise";
  int steps = 0;
  std::string out;
  bool raw_weights = false;
  std::vector<std::string> overrides;
};

DreamConfig dream_settings(const LoadedModel& model, const DreamArgs& args) {
  for (const std::string& o : args.overrides) {
    if (o.rfind("dream.", 0) != 0) throw UserError(o + ": dream takes dream.* settings only (the model and its recipe are the checkpoint's)");
  }
  DreamConfig settings = config_from_yaml(config_to_yaml(model.config), model.checkpoint.string(), args.overrides).dream;
  if (args.steps > 0) settings.steps = args.steps;
  return settings;
}

// The start: quiet white noise, or a file through the checkpoint's recipe, cut or padded with
// silence to the asked length.
std::vector<float> starting_audio(const LoadedModel& model, const DreamArgs& args, const DreamConfig& settings) {
  const AudioConfig& audio = model.config.audio;
  const auto samples = static_cast<int64_t>(std::llround(args.seconds * audio.sample_rate));
  if (samples <= audio.n_fft / 2) {
    throw UserError("--seconds " + format_figure(args.seconds) + ": too short for one mel frame of the checkpoint's recipe");
  }
  if (args.init == "noise") return dream_noise_start(samples, settings);
  std::vector<float> start = extract_features(args.init, audio, MelSpectrogram(audio)).audio;
  start.resize(static_cast<std::size_t>(samples), 0.0f);
  return start;
}

void run(const DreamArgs& args) {
  set_compute_threads(0);
  const LoadedModel critic = load_model(args.checkpoint, !args.raw_weights);
  const DreamConfig settings = dream_settings(critic, args);
  std::unique_ptr<LoadedModel> discriminator;
  if (!settings.discriminator.empty()) discriminator = std::make_unique<LoadedModel>(load_model(settings.discriminator, true));
  const std::vector<float> start = starting_audio(critic, args, settings);
  const DreamSummary summary = dream_to_files(critic, discriminator.get(), settings, start, args.out, true);
  std::printf("score %.4f -> %.4f after %d steps (the critic's units, as `wavenet rate` scores the audio)\n",
              summary.score_before, summary.score_after, settings.steps);
  std::printf("wrote %s, %s, %s, %s\n", summary.files.audio.c_str(), summary.files.mels_png.c_str(),
              summary.files.curves_png.c_str(), summary.files.steps_csv.c_str());
}

}  // namespace

void register_dream_command(CLI::App& app) {
  auto args = std::make_shared<DreamArgs>();
  CLI::App* command = app.add_subcommand("dream", "Raise a trained critic's score by gradient ascent on a waveform");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint file or run directory of a rating model")->required();
  command->add_option("--seconds", args->seconds, "length of the dream in seconds")->capture_default_str()->check(CLI::PositiveNumber);
  command->add_option("--init", args->init, "noise (quiet white noise), or an audio file to start from")->capture_default_str();
  command->add_option("--steps", args->steps, "Adam steps (default: dream.steps)")->check(CLI::PositiveNumber);
  command->add_option("--out", args->out, "the dream's wav; its _mels.png, _curves.png and _steps.csv go beside it")->required();
  command->add_flag("--raw-weights", args->raw_weights, "use the critic's trained weights, not their moving average");
  command->add_option("settings", args->overrides, "dream.key=value settings over the checkpoint's dream: section");
  command->footer("Settings (dream.*, see `wavenet config show`): steps, lr, seed, init_noise, amplitude_bound,\n"
                  "max_shift_frames, range_weight, range_std, out_of_band_weight, tv_weight, label (classifier critics),\n"
                  "discriminator, discriminator_label, realness_weight. A file start goes through the checkpoint's\n"
                  "audio recipe and is cut or padded with silence to --seconds.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
