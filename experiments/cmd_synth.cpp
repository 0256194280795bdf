// `wavenet synth`: audio from mel spectrograms (.npy) or from wav files (copy-synthesis with the
// checkpoint's own audio recipe), with the cached engine or the Griffin-Lim baseline.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "core/errors.h"
#include "core/progress.h"
#include "dataio/audio_io.h"
#include "dataio/features.h"
#include "dataio/griffin_lim.h"
#include "dataio/mel.h"
#include "dataio/npy.h"
#include "dataio/spectrogram_png.h"
#include "experiments/cli_common.h"
#include "nets/engine/cached_engine.h"
#include "nets/model_loading.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

struct SynthArgs {
  std::string vocoder = "wavenet";
  int iterations = 60;
  ConfigArgs config;  // the audio recipe, for griffin-lim without a checkpoint
  std::string checkpoint;
  std::vector<std::string> mels;
  std::vector<std::string> wavs;
  std::string out;
  std::string out_dir;
  bool mel_is_bins_by_frames = false;
  bool raw_weights = false;
  int threads = 0;
  std::string precision = "fp32";
  double temperature = 1.0;
  int64_t seed = 1234;
  bool float_wav = false;
  bool plot = false;
};

// One input's mel, frames x n_mels, in the recipe's compression.
std::vector<float> input_mel(const fs::path& path, bool is_wav, const SynthArgs& args, const AudioConfig& recipe) {
  if (is_wav) return extract_features(path, recipe, MelSpectrogram(recipe)).mel;  // copy-synthesis
  const NpyArray array = read_npy(path);
  if (array.shape.size() != 2) {
    throw UserError(path.string() + ": mel must be 2-D (frames, n_mels), got " + std::to_string(array.shape.size()) + "-D");
  }
  torch::Tensor mel = torch::from_blob(const_cast<float*>(array.data.data()), {array.shape[0], array.shape[1]}, torch::kFloat);
  if (args.mel_is_bins_by_frames) mel = mel.t();
  mel = mel.contiguous();
  if (mel.size(1) != recipe.n_mels) {
    throw UserError(path.string() + ": mel has " + std::to_string(mel.size(1)) + " bins per frame, the model expects " +
                    std::to_string(recipe.n_mels) + (mel.size(0) == recipe.n_mels ? " (is it n_mels x frames? pass --mel-bins-first)" : ""));
  }
  return std::vector<float>(mel.data_ptr<float>(), mel.data_ptr<float>() + mel.numel());
}

// (1, frames + 2*context, n_mels), edges padded with the first and last frame: a standalone mel
// has no surroundings, so repeating its edge frames is the neutral choice.
torch::Tensor with_context(const std::vector<float>& frames, int n_mels, int context) {
  const auto count = static_cast<int64_t>(frames.size()) / n_mels;
  torch::Tensor mel = torch::from_blob(const_cast<float*>(frames.data()), {count, n_mels}, torch::kFloat).clone();
  if (context > 0) {
    mel = torch::cat({mel.narrow(0, 0, 1).expand({context, n_mels}), mel, mel.narrow(0, count - 1, 1).expand({context, n_mels})});
  }
  return mel.unsqueeze(0);
}

// Generates one utterance; the progress bar shows samples/s and the real-time factor.
std::vector<float> generate_wavenet(CachedEngine& engine, LoadedModel& model, const std::vector<float>& frames,
                                    const SynthArgs& args, const std::string& label) {
  const AudioConfig& a = model.config.audio;
  GenerationRequest request;
  request.mel = with_context(frames, a.n_mels, model.net->context_frames());
  request.samples = static_cast<int64_t>(frames.size()) / a.n_mels * a.hop_length;
  request.temperature = args.temperature;
  ProgressOptions po;
  po.unit = "samples";
  ProgressBar progress(label, request.samples, po);
  const auto start = std::chrono::steady_clock::now();
  int64_t reported = 0;
  request.on_step = [&](int64_t done) {
    if (done % 1024 != 0 && done != request.samples) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char detail[64];
    std::snprintf(detail, sizeof detail, "%.2fx real time", done / std::max(elapsed, 1e-9) / a.sample_rate);
    progress.set_detail(detail);
    progress.advance(done - reported);
    reported = done;
  };
  const torch::Tensor audio = engine.generate(request, static_cast<uint64_t>(args.seed));
  progress.finish();
  return std::vector<float>(audio.data_ptr<float>(), audio.data_ptr<float>() + audio.numel());
}

std::vector<float> generate_griffin_lim(const std::vector<float>& frames, const SynthArgs& args, const AudioConfig& a,
                                        const std::string& label) {
  ProgressOptions po;
  po.unit = "iterations";
  ProgressBar progress(label, args.iterations, po);
  GriffinLimOptions options;
  options.iterations = args.iterations;
  options.seed = static_cast<uint64_t>(args.seed);
  options.on_iteration = [&](int, double convergence) {
    char detail[64];
    std::snprintf(detail, sizeof detail, "spectral convergence %.4f", convergence);
    progress.set_detail(detail);
    progress.advance();
  };
  std::vector<float> audio = griffin_lim_from_mel(frames, a, options);
  progress.finish();
  return audio;
}

void run(const SynthArgs& args) {
  std::vector<std::pair<fs::path, bool>> inputs;  // path, is_wav
  for (const auto& m : args.mels) inputs.emplace_back(m, false);
  for (const auto& w : args.wavs) inputs.emplace_back(w, true);
  if (inputs.empty()) throw UserError("give at least one --mel or --wav input");
  if (args.out.empty() == args.out_dir.empty()) throw UserError("give exactly one of --out (one input) and --out-dir");
  if (!args.out.empty() && inputs.size() > 1) throw UserError("--out names one file; use --out-dir for several inputs");
  const bool wavenet = args.vocoder == "wavenet";
  if (wavenet && args.checkpoint.empty()) throw UserError("--checkpoint is required for --vocoder wavenet");

  LoadedModel model;
  Config config;
  if (!args.checkpoint.empty()) {
    model = load_model(args.checkpoint, !args.raw_weights);
    config = model.config;
  } else {
    config = args.config.resolve();
  }
  if (wavenet && !config.model.local_conditioning) throw UserError(args.checkpoint + ": an unconditional model takes no mel");
  std::unique_ptr<CachedEngine> engine;
  if (wavenet) {
    EngineOptions options;
    options.threads = args.threads > 0 ? args.threads
                      : config.engine.threads > 0 ? config.engine.threads
                                                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    options.precision = args.precision;
    engine = std::make_unique<CachedEngine>(model.net, options);
  }
  if (!args.out_dir.empty()) fs::create_directories(args.out_dir);
  const MelSpectrogram analysis(config.audio);

  int failures = 0;
  for (const auto& [path, is_wav] : inputs) {
    const fs::path out = args.out.empty() ? fs::path(args.out_dir) / (path.stem().string() + ".wav") : fs::path(args.out);
    try {
      const std::vector<float> frames = input_mel(path, is_wav, args, config.audio);
      const std::string label = path.filename().string();
      const std::vector<float> audio = wavenet ? generate_wavenet(*engine, model, frames, args, label)
                                               : generate_griffin_lim(frames, args, config.audio, label);
      write_wav(out, audio, config.audio.sample_rate, args.float_wav ? WavEncoding::float32 : WavEncoding::pcm16);
      std::printf("wrote %s: %zu samples (%.2f s at %d Hz, %s)\n", out.c_str(), audio.size(),
                  audio.size() / double(config.audio.sample_rate), config.audio.sample_rate,
                  wavenet ? ("step " + std::to_string(model.step) + " of " + model.checkpoint.string()).c_str()
                          : ("Griffin-Lim, " + std::to_string(args.iterations) + " iterations").c_str());
      if (args.plot) {
        fs::path png = out;
        png.replace_extension(".png");
        write_mel_panels_png(png, {{frames, config.audio.n_mels}, {analysis.compressed(audio), config.audio.n_mels}});
        std::printf("wrote %s\n", png.c_str());
      }
    } catch (const UserError& e) {
      // One bad input is reported and skipped; the others are still generated.
      std::fprintf(stderr, "wavenet: error: %s\n", e.what());
      ++failures;
    }
  }
  if (failures > 0) {
    throw UserError(std::to_string(failures) + " of " + std::to_string(inputs.size()) + " inputs failed (see above)");
  }
}

}  // namespace

void register_synth_command(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* command = app.add_subcommand(
      "synth", "Generate audio from mel spectrograms or wav files (copy-synthesis) with the engine or Griffin-Lim");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint file, or a run directory (its latest checkpoint)");
  command->add_option("--mel", args->mels, "float32 .npy of shape (frames, n_mels); repeatable");
  command->add_option("--wav", args->wavs, "audio file to copy-synthesise with the checkpoint's recipe; repeatable");
  command->add_option("--out", args->out, "output wav (one input)");
  command->add_option("--out-dir", args->out_dir, "output directory (one <input name>.wav per input)");
  command->add_option("--vocoder", args->vocoder, "wavenet (the cached engine) or griffin-lim (the classical baseline)")
      ->check(CLI::IsMember({"wavenet", "griffin-lim"}))
      ->capture_default_str();
  command->add_option("--iterations", args->iterations, "Griffin-Lim iterations")->capture_default_str()->check(CLI::Range(1, 10000));
  command->add_flag("--mel-bins-first", args->mel_is_bins_by_frames, "the .npy files are (n_mels, frames)");
  command->add_flag("--raw-weights", args->raw_weights, "use the raw weights instead of their moving average");
  command->add_option("--threads", args->threads, "engine threads (default: engine.threads, else one per core)");
  command->add_option("--precision", args->precision, "fp32 or bf16 weight storage")->check(CLI::IsMember({"fp32", "bf16"}))->capture_default_str();
  command->add_option("--temperature", args->temperature, "sampling temperature")->check(CLI::PositiveNumber)->capture_default_str();
  command->add_option("--seed", args->seed, "sampling seed")->capture_default_str();
  command->add_flag("--float", args->float_wav, "write a 32-bit float wav instead of 16-bit PCM");
  command->add_flag("--plot", args->plot, "also write <out>.png: the input mel beside the generated audio's mel");
  add_config_options(*command, args->config);
  command->footer("Inputs are generated one at a time; a bad input is reported and the others still run (exit 2).\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
