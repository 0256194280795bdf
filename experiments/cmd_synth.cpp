// `wavenet synth --checkpoint F --mel M.npy --out out.wav`: audio from a mel spectrogram with
// the cached engine.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "core/errors.h"
#include "core/progress.h"
#include "dataio/audio_io.h"
#include "dataio/griffin_lim.h"
#include "dataio/mel.h"
#include "dataio/spectrogram_png.h"
#include "dataio/npy.h"
#include "experiments/cli_common.h"
#include "nets/engine/cached_engine.h"
#include "nets/model_loading.h"

namespace wn::cli {
namespace {

struct SynthArgs {
  std::string vocoder = "wavenet";
  int iterations = 60;
  ConfigArgs config;  // the audio recipe, for griffin-lim without a checkpoint
  std::string checkpoint;
  std::string mel;
  std::string out;
  bool mel_is_bins_by_frames = false;
  bool raw_weights = false;
  int threads = 0;
  std::string precision = "fp32";
  double temperature = 1.0;
  int64_t seed = 1234;
  bool float_wav = false;
  bool plot = false;
};

// OUT.png beside OUT.wav: the input mel and the generated audio's mel, side by side.
void plot_beside(const SynthArgs& args, const std::vector<float>& input_mel, const std::vector<float>& audio,
                 const AudioConfig& recipe) {
  if (!args.plot) return;
  const MelSpectrogram mel(recipe);
  std::filesystem::path png = args.out;
  png.replace_extension(".png");
  write_mel_panels_png(png, {{input_mel, recipe.n_mels}, {mel.compressed(audio), recipe.n_mels}});
  std::printf("wrote %s\n", png.c_str());
}

// (frames, n_mels) float32 as (1, frames + 2*context, n_mels), edges padded with the first and
// last frame (the loader pads with silence inside a corpus; a standalone mel has no
// surroundings, so repeating its edge frames is the neutral choice).
torch::Tensor mel_input(const NpyArray& array, int n_mels, int context, bool transposed, const std::string& path) {
  if (array.shape.size() != 2) throw UserError(path + ": mel must be 2-D (frames, n_mels), got " + std::to_string(array.shape.size()) + "-D");
  torch::Tensor mel = torch::from_blob(const_cast<float*>(array.data.data()), {array.shape[0], array.shape[1]}, torch::kFloat).clone();
  if (transposed) mel = mel.t().contiguous();
  if (mel.size(1) != n_mels) {
    throw UserError(path + ": mel has " + std::to_string(mel.size(1)) + " bins per frame, the checkpoint's model expects " +
                    std::to_string(n_mels) + (mel.size(0) == n_mels ? " (is it n_mels x frames? pass --mel-bins-first)" : ""));
  }
  if (context > 0) {
    mel = torch::cat({mel.narrow(0, 0, 1).expand({context, n_mels}), mel, mel.narrow(0, mel.size(0) - 1, 1).expand({context, n_mels})});
  }
  return mel.unsqueeze(0);
}

// The classical baseline: Griffin-Lim from the same mel, with the recipe of the checkpoint (if
// given) or of --config.
void run_griffin_lim(const SynthArgs& args) {
  const Config config = args.checkpoint.empty() ? args.config.resolve() : load_model(args.checkpoint, true).config;
  const NpyArray array = read_npy(args.mel);
  const torch::Tensor mel = mel_input(array, config.audio.n_mels, 0, args.mel_is_bins_by_frames, args.mel).squeeze(0).contiguous();
  std::vector<float> frames(mel.data_ptr<float>(), mel.data_ptr<float>() + mel.numel());
  ProgressOptions po;
  po.unit = "iterations";
  ProgressBar progress("griffin-lim", args.iterations, po);
  GriffinLimOptions options;
  options.iterations = args.iterations;
  options.seed = static_cast<uint64_t>(args.seed);
  options.on_iteration = [&](int, double convergence) {
    char detail[64];
    std::snprintf(detail, sizeof detail, "spectral convergence %.4f", convergence);
    progress.set_detail(detail);
    progress.advance();
  };
  const std::vector<float> audio = griffin_lim_from_mel(frames, config.audio, options);
  progress.finish();
  write_wav(args.out, audio, config.audio.sample_rate, args.float_wav ? WavEncoding::float32 : WavEncoding::pcm16);
  std::printf("wrote %s: %zu samples (Griffin-Lim, %d iterations)\n", args.out.c_str(), audio.size(), args.iterations);
  plot_beside(args, frames, audio, config.audio);
}

void run(const SynthArgs& args) {
  if (args.vocoder == "griffin-lim") return run_griffin_lim(args);
  if (args.checkpoint.empty()) throw UserError("--checkpoint is required for --vocoder wavenet");
  LoadedModel model = load_model(args.checkpoint, !args.raw_weights);
  const Config& c = model.config;
  if (!c.model.local_conditioning) throw UserError(args.checkpoint + ": an unconditional model takes no mel");
  const NpyArray array = read_npy(args.mel);
  const torch::Tensor mel = mel_input(array, c.audio.n_mels, model.net->context_frames(), args.mel_is_bins_by_frames, args.mel);
  const int64_t frames = mel.size(1) - 2 * model.net->context_frames();
  const int64_t samples = frames * c.audio.hop_length;
  const int threads = args.threads > 0 ? args.threads : std::max(1, c.engine.threads > 0 ? c.engine.threads : static_cast<int>(std::thread::hardware_concurrency()));

  EngineOptions options;
  options.threads = threads;
  options.precision = args.precision;
  CachedEngine engine(model.net, options);
  GenerationRequest request;
  request.mel = mel;
  request.samples = samples;
  request.temperature = args.temperature;
  ProgressOptions po;
  po.unit = "samples";
  ProgressBar progress("synth", samples, po);
  const auto start = std::chrono::steady_clock::now();
  int64_t reported = 0;
  request.on_step = [&](int64_t done) {
    if (done % 1024 != 0 && done != samples) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char detail[64];
    std::snprintf(detail, sizeof detail, "%.2fx real time", done / std::max(elapsed, 1e-9) / c.audio.sample_rate);
    progress.set_detail(detail);
    progress.advance(done - reported);
    reported = done;
  };
  const torch::Tensor audio = engine.generate(request, static_cast<uint64_t>(args.seed));
  progress.finish();
  std::vector<float> wav(audio.data_ptr<float>(), audio.data_ptr<float>() + audio.numel());
  write_wav(args.out, wav, c.audio.sample_rate, args.float_wav ? WavEncoding::float32 : WavEncoding::pcm16);
  std::printf("wrote %s: %lld samples (%.2f s at %d Hz) from %s step %lld\n", args.out.c_str(),
              static_cast<long long>(samples), samples / double(c.audio.sample_rate), c.audio.sample_rate,
              model.checkpoint.c_str(), static_cast<long long>(model.step));
  const torch::Tensor own = mel.squeeze(0).narrow(0, model.net->context_frames(), frames).contiguous();
  plot_beside(args, std::vector<float>(own.data_ptr<float>(), own.data_ptr<float>() + own.numel()), wav, c.audio);
}

}  // namespace

void register_synth_command(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* command = app.add_subcommand("synth", "Generate audio from a mel spectrogram with the cached engine");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint file, or a run directory (its latest checkpoint)");
  command->add_option("--vocoder", args->vocoder, "wavenet (the cached engine) or griffin-lim (the classical baseline)")
      ->check(CLI::IsMember({"wavenet", "griffin-lim"}))
      ->capture_default_str();
  command->add_option("--iterations", args->iterations, "Griffin-Lim iterations")->capture_default_str()->check(CLI::Range(1, 10000));
  command->add_option("--mel", args->mel, "float32 .npy of shape (frames, n_mels)")->required();
  command->add_option("--out", args->out, "output wav")->required();
  command->add_flag("--mel-bins-first", args->mel_is_bins_by_frames, "the .npy is (n_mels, frames)");
  command->add_flag("--raw-weights", args->raw_weights, "use the raw weights instead of their moving average");
  command->add_option("--threads", args->threads, "engine threads (default: engine.threads, else one per core)");
  command->add_option("--precision", args->precision, "fp32 or bf16 weight storage")->check(CLI::IsMember({"fp32", "bf16"}))->capture_default_str();
  command->add_option("--temperature", args->temperature, "sampling temperature")->check(CLI::PositiveNumber)->capture_default_str();
  command->add_option("--seed", args->seed, "sampling seed")->capture_default_str();
  command->add_flag("--float", args->float_wav, "write a 32-bit float wav instead of 16-bit PCM");
  command->add_flag("--plot", args->plot, "also write OUT.png: the input mel and the generated audio's mel");
  add_config_options(*command, args->config);
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
