// `wavenet synth`: audio from mel spectrograms (.npy), wav files (copy-synthesis with the
// checkpoint's own audio recipe) or shard utterances, all generated together through the model
// family's fast generator in batches grouped by length; unconditional models generate from
// silence or continue a primed clip. Griffin-Lim is the classical baseline for the same mels.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <functional>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/progress.h"
#include "dataio/audio_cleaning.h"
#include "dataio/audio_io.h"
#include "dataio/features.h"
#include "dataio/figures/spectrogram_figure.h"
#include "dataio/griffin_lim.h"
#include "dataio/loader.h"
#include "dataio/mel.h"
#include "dataio/mel_mismatch.h"
#include "dataio/preprocess_parts.h"
#include "experiments/cli_common.h"
#include "experiments/clip_generation.h"
#include "experiments/synth_inputs.h"
#include "experiments/synth_stream.h"
#include "nets/model_loading.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

struct SynthArgs {
  SynthInputArgs inputs;
  std::string vocoder = "model";
  int iterations = 60;
  ConfigArgs config;  // the audio recipe, for griffin-lim without a checkpoint
  std::string checkpoint;
  std::string out;
  std::string out_dir;
  double seconds = 2.0;  // unconditional models
  int count = 1;
  std::string prime;
  std::string label;
  // Engine settings: engine.* of the checkpoint, then key=value arguments, then these flags
  // where given (`given` names them).
  bool raw_weights = false;
  int threads = 0;
  std::string precision;
  double temperature = 1.0;
  int64_t seed = 0;
  int batch = 0;
  std::string fold;
  std::set<std::string> given;
  EngineConfig engine;  // resolved
  bool stream = false;
  std::string part;  // I/N: only clips I, I+N, ... of the inputs
  bool float_wav = false;
  bool plot = false;
  bool unconditional_options = false;  // --seconds or --count given
};

// engine.* after the arguments: the base's section (a checkpoint's, or the resolved config's),
// key=value arguments over it (only engine.* for a checkpoint: its model and recipe are fixed),
// then the flags that were given.
EngineConfig resolve_engine_settings(const Config& base, const std::string& origin, bool from_checkpoint, const SynthArgs& args) {
  EngineConfig e = from_checkpoint ? engine_with_overrides(base, origin, args.config.overrides) : base.engine;
  if (args.given.count("threads")) e.threads = args.threads;
  if (args.given.count("precision")) e.precision = args.precision;
  if (args.given.count("temperature")) e.temperature = args.temperature;
  if (args.given.count("seed")) e.seed = args.seed;
  if (args.given.count("batch")) e.batch = args.batch;
  if (args.given.count("fold")) e.fold = fold_setting(args.fold, "--fold");
  if (args.raw_weights) e.use_ema = false;
  return e;
}

// --label as a name from the checkpoint's label list, or as a number.
int32_t label_id(const std::string& label, const LoadedModel& model) {
  for (std::size_t i = 0; i < model.labels.size(); ++i) {
    if (model.labels[i] == label) return static_cast<int32_t>(i);
  }
  std::string names;
  for (const auto& name : model.labels) names += (names.empty() ? "" : ", ") + name;
  char* end = nullptr;
  const long id = std::strtol(label.c_str(), &end, 10);
  const long n = static_cast<long>(model.labels.empty() ? model.config.model.n_labels : model.labels.size());
  if (end != label.c_str() && *end == '\0' && id >= 0 && id < n) return static_cast<int32_t>(id);
  throw UserError("--label " + label + ": " + model.checkpoint.string() + " knows the labels " + (names.empty() ? "0.." + std::to_string(n - 1) : names));
}

// Every clip's label for a labelled model: --label for all, else a shard utterance's own label
// (by name through the shard's manifest when there is one, else by id). A clip without a usable
// label is reported and dropped. Models without labels ignore shard labels.
void resolve_labels(std::vector<Clip>& clips, const SynthArgs& args, const LoadedModel& model, int& failures) {
  if (!model.config.model.global_conditioning) {
    for (Clip& clip : clips) clip.label = -1;
    return;
  }
  const int32_t chosen = args.label.empty() ? -1 : label_id(args.label, model);
  const auto known = static_cast<int32_t>(model.labels.empty() ? model.config.model.n_labels : model.labels.size());
  std::vector<Clip> kept;
  for (Clip& clip : clips) {
    std::string problem;
    if (chosen >= 0) {
      clip.label = chosen;
    } else if (clip.label < 0) {
      problem = "has no label and the model is conditioned on one; pick one with --label";
    } else if (!clip.label_name.empty()) {
      const auto it = std::find(model.labels.begin(), model.labels.end(), clip.label_name);
      if (it == model.labels.end()) problem = "label '" + clip.label_name + "' is not one the model was trained with";
      clip.label = static_cast<int32_t>(it - model.labels.begin());
    } else if (clip.label >= known) {
      problem = "label id " + std::to_string(clip.label) + " but the model knows " + std::to_string(known) + " labels";
    }
    if (problem.empty()) {
      kept.push_back(std::move(clip));
    } else {
      report_input_error(clip.source + ": " + problem, failures);
    }
  }
  clips = std::move(kept);
}

// Unconditional clips: `count` of them, from silence or continuing the prime.
std::vector<Clip> requested_unconditional_clips(const SynthArgs& args, const AudioConfig& recipe) {
  if (args.prime.empty()) return unconditional_clips({}, args.seconds, args.count, args.engine.seed, "sample", "silence", recipe.sample_rate);
  const std::vector<float> prime = prime_samples(extract_features(args.prime, recipe, MelSpectrogram(recipe)), recipe, args.prime);
  return unconditional_clips(prime, args.seconds, args.count, args.engine.seed, fs::path(args.prime).stem().string() + "_continued",
                             args.prime, recipe.sample_rate);
}

std::vector<float> generate_griffin_lim(const Clip& clip, const SynthArgs& args, const AudioConfig& a) {
  ProgressOptions po;
  po.unit = "iterations";
  ProgressBar progress(clip.name, args.iterations, po);
  GriffinLimOptions options;
  options.iterations = args.iterations;
  options.seed = static_cast<uint64_t>(args.engine.seed);
  options.on_iteration = [&](int, double convergence) {
    char detail[64];
    std::snprintf(detail, sizeof detail, "spectral convergence %.4f", convergence);
    progress.set_detail(detail);
    progress.advance();
  };
  std::vector<float> audio = griffin_lim_from_mel(clip.mel, a, options);
  progress.finish();
  return audio;
}

// Who made a clip's audio: `detail` for the log line, `system` for its picture.
struct Vocoder {
  std::string detail;  // "step 2000 of run/checkpoint_2000.pt", "Griffin-Lim, 60 iterations"
  std::string system;  // "wavenet step 2000", "Griffin-Lim"
};

// --plot: the input mel above the generated audio's mel on one time axis (an unconditional clip
// has only the latter), with the recipe's seconds and Hz.
void plot_clip(const Clip& clip, const std::vector<float>& audio, const fs::path& png, const AudioConfig& a,
               const Vocoder& vocoder) {
  std::vector<SpectrogramPanel> panels;
  std::string title = clip.name;
  if (!clip.mel.empty()) {
    panels.push_back({"input mel: " + clip.name, clip.mel, a.n_mels});
    title += ": input mel and " + vocoder.system + "'s audio";
  } else {
    title += clip.prime.empty() ? ": from silence" : ": continuing " + clip.source;
  }
  panels.push_back({vocoder.system + ": generated", MelSpectrogram(a).compressed(audio), a.n_mels});
  write_spectrogram_figure(png, title, panels, spectrogram_axes(a));
}

void write_clip(const Clip& clip, const std::vector<float>& audio, const fs::path& out, const SynthArgs& args, const AudioConfig& a,
                const Vocoder& vocoder) {
  write_wav(out, audio, a.sample_rate, args.float_wav ? WavEncoding::float32 : WavEncoding::pcm16);
  std::printf("wrote %s: %zu samples (%.2f s at %d Hz, %s)\n", out.c_str(), audio.size(), audio.size() / double(a.sample_rate),
              a.sample_rate, vocoder.detail.c_str());
  if (!args.plot) return;
  fs::path png = out;
  png.replace_extension(".png");
  plot_clip(clip, audio, png, a, vocoder);
  std::printf("wrote %s\n", png.c_str());
}

// --stream: one utterance from standard input as it arrives (experiments/synth_stream.h).
void run_stream(const SynthArgs& args, const LoadedModel& model) {
  if (args.checkpoint.empty() || args.vocoder == "griffin-lim") throw UserError("--stream needs --checkpoint (a mel-conditioned model)");
  if (has_inputs(args.inputs) || !args.out_dir.empty() || args.out.empty() || args.unconditional_options || !args.prime.empty()) {
    throw UserError("--stream reads mel frames from standard input and writes --out FILE.wav or --out - (standard output); give no other inputs");
  }
  if (!model.config.model.local_conditioning) throw UserError("--stream: " + args.checkpoint + " is not mel-conditioned");
  if (args.engine.fold != 1) throw UserError("--stream generates one utterance as it arrives and cannot fold it; leave engine.fold at 1");
  if (!args.inputs.mel_recipe.empty()) throw UserError("--mel-recipe converts .npy inputs; convert a stream's mels before it (convert-mels)");
  StreamSettings settings;
  settings.seed = static_cast<uint64_t>(args.engine.seed);
  settings.temperature = args.engine.temperature;
  settings.out = args.out;
  settings.float_wav = args.float_wav;
  if (!args.label.empty()) settings.label = label_id(args.label, model);
  if (model.config.model.global_conditioning && settings.label < 0) throw UserError("--stream: " + args.checkpoint + " is conditioned on a label; pick one with --label");
  const std::unique_ptr<Generator> generator = engine_generator(model, args.engine, true);
  const int64_t samples = synthesize_stream(*generator, model, settings);
  std::fprintf(stderr, "wrote %s: %lld samples (%.2f s at %d Hz, streamed)\n", args.out == "-" ? "standard output" : args.out.c_str(),
               static_cast<long long>(samples), samples / double(model.config.audio.sample_rate), model.config.audio.sample_rate);
}

void run(SynthArgs& args) {
  if (args.out.empty() == args.out_dir.empty()) throw UserError("give exactly one of --out (one clip) and --out-dir");
  const bool from_model = args.vocoder != "griffin-lim";  // "wavenet" is the older name of "model"
  if (from_model && args.checkpoint.empty()) throw UserError("--checkpoint is required unless --vocoder griffin-lim");
  LoadedModel model;
  Config config;
  if (!args.checkpoint.empty()) {
    model = load_model(args.checkpoint, true);
    args.engine = resolve_engine_settings(model.config, model.checkpoint.string(), true, args);
    if (!args.engine.use_ema) model = load_model(args.checkpoint, false);
    config = model.config;
  } else {
    config = args.config.resolve();
    args.engine = resolve_engine_settings(config, "the command line", false, args);
  }
  if (args.stream) return run_stream(args, model);
  if (args.engine.fold != 1 && from_model && !config.model.local_conditioning) {
    throw UserError("engine.fold: folding cuts a clip's mel into pieces; " + args.checkpoint + " is not mel-conditioned");
  }
  const bool conditional = !from_model || config.model.local_conditioning;
  const bool inputs_given = has_inputs(args.inputs);
  if (conditional && !inputs_given) {
    throw UserError(from_model ? args.checkpoint + ": the model is mel-conditioned; give --mel, --wav or --shard inputs"
                            : "give --mel, --wav or --shard inputs for Griffin-Lim");
  }
  if (!conditional && inputs_given) {
    throw UserError(args.checkpoint + ": an unconditional model takes no mel; use --seconds, --count and --prime");
  }
  if (conditional && (!args.prime.empty() || args.unconditional_options)) {
    throw UserError("--seconds, --count and --prime are for unconditional models; this one takes mel inputs");
  }
  if (!args.label.empty() && !(from_model && config.model.global_conditioning)) {
    throw UserError("--label: " + (from_model ? args.checkpoint + " was not trained with labels" : std::string("Griffin-Lim takes no label")));
  }

  int failures = 0;
  std::vector<Clip> clips;
  if (conditional) {
    for (SynthInput& input : load_synth_inputs(args.inputs, config.audio, failures)) {
      clips.push_back(mel_clip(std::move(input), config.audio, args.engine.seed));
    }
  } else {
    clips = requested_unconditional_clips(args, config.audio);
  }
  if (!args.part.empty()) {
    // A cluster's share: every part lists the same inputs in the same order and keeps its own.
    const CorpusPart part = parse_corpus_part(args.part);
    std::vector<Clip> mine;
    for (std::size_t i = 0; i < clips.size(); ++i) {
      if (part.owns(i)) mine.push_back(std::move(clips[i]));
    }
    std::printf("part %s: %zu of %zu clips\n", part.name().c_str(), mine.size(), clips.size());
    clips = std::move(mine);
  }
  if (from_model) {
    resolve_labels(clips, args, model, failures);
    // Mels made elsewhere are the commonest cause of noise from a good vocoder: say so up front.
    for (const Clip& clip : clips) {
      if (!clip.made_elsewhere) continue;
      const std::string warning = mel_mismatch_warning(clip.mel, model.mel_mean, model.mel_std, config.audio);
      if (!warning.empty()) std::fprintf(stderr, "wavenet: warning: %s: %s\n", clip.source.c_str(), warning.c_str());
    }
  }
  if (!args.out.empty() && clips.size() > 1) throw UserError("--out names one file; use --out-dir for several clips");
  std::set<std::string> names;
  for (const Clip& clip : clips) {
    if (!names.insert(clip.name).second) throw UserError("two inputs would both write " + clip.name + ".wav; rename one");
  }
  if (!args.out_dir.empty()) fs::create_directories(args.out_dir);

  const Vocoder vocoder =
      from_model ? Vocoder{"step " + std::to_string(model.step) + " of " + model.checkpoint.string(),
                           config.model.type + " step " + std::to_string(model.step)}
                 : Vocoder{"Griffin-Lim, " + std::to_string(args.iterations) + " iterations", "Griffin-Lim"};
  auto write = [&](const Clip& clip, const std::vector<float>& audio) {
    const fs::path out = args.out.empty() ? fs::path(args.out_dir) / (clip.name + ".wav") : fs::path(args.out);
    write_clip(clip, audio, out, args, config.audio, vocoder);
  };
  // A model generates in its training time domain (gain, pre-emphasis): back to plain audio.
  auto write_generated = [&](const Clip& clip, const std::vector<float>& generated) {
    std::vector<float> audio = generated;
    EmphasisUndo(config.audio).apply(audio);
    write(clip, audio);
  };
  if (from_model && !clips.empty()) {
    ClipGenerationOptions generation;
    generation.engine = args.engine;
    generate_clips(clips, model, generation, write_generated);
  }
  if (!from_model) {
    for (const Clip& clip : clips) write(clip, generate_griffin_lim(clip, args, config.audio));
  }
  if (failures > 0) {
    throw UserError(std::to_string(failures) + " of " + std::to_string(failures + clips.size()) + " inputs failed (see above)");
  }
}

}  // namespace

void register_synth_command(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* command = app.add_subcommand(
      "synth", "Generate audio from mels, wav files (copy-synthesis) or shard utterances, or unconditionally");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint file, or a run directory (its latest checkpoint)");
  command->add_option("--mel", args->inputs.mels, "float32 .npy of shape (frames, n_mels); repeatable");
  command->add_option("--wav", args->inputs.wavs, "audio file to copy-synthesise with the checkpoint's recipe; repeatable");
  command->add_option("--shard", args->inputs.shards, "preprocessed HDF5 shard: its utterances' mels; repeatable");
  command->add_option("--utterance", args->inputs.utterances, "only this utterance of the shards; repeatable (default: all)");
  command->add_flag("--mel-bins-first", args->inputs.mel_bins_first, "the .npy files are (n_mels, frames)");
  command->add_option("--part", args->part, "I/N: only clips I, I+N, ... of the inputs (one part of a cluster job; use --out-dir)");
  command->add_option("--mel-recipe", args->inputs.mel_recipe,
                      "the .npy mels are of this recipe (r9y9, tacotron2, espnet, or NAME:MEANVAR.npy): converted to the "
                      "checkpoint's first (as convert-mels does)");
  CLI::Option* seconds = command->add_option("--seconds", args->seconds, "unconditional models: seconds to generate (after the prime)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  CLI::Option* count = command->add_option("--count", args->count, "unconditional models: clips to generate (seeds seed, seed+1, ...)")
      ->capture_default_str()->check(CLI::Range(1, 4096));
  command->add_option("--prime", args->prime, "unconditional models: continue this audio file (teacher-forced first)");
  command->add_option("--label", args->label, "global condition (speaker, instrument) by name or number, for models trained with labels");
  command->add_option("--out", args->out, "output wav (one clip)");
  command->add_option("--out-dir", args->out_dir, "output directory: <input name>.wav per clip");
  command->add_option("--vocoder", args->vocoder, "model (the checkpoint's model on its fast generator; also 'wavenet') or griffin-lim (the classical baseline)")
      ->check(CLI::IsMember({"model", "wavenet", "griffin-lim"}))
      ->capture_default_str();
  command->add_option("--iterations", args->iterations, "Griffin-Lim iterations")->capture_default_str()->check(CLI::Range(1, 10000));
  command->add_flag("--raw-weights", args->raw_weights, "use the raw weights instead of their moving average (engine.use_ema=false)");
  // The engine flags default to engine.* (of the checkpoint, after key=value arguments).
  std::vector<std::pair<std::string, CLI::Option*>> engine_flags = {
      {"batch", command->add_option("--batch", args->batch, "clips generated together, grouped by length (engine.batch)")->check(CLI::Range(1, 1024))},
      {"threads", command->add_option("--threads", args->threads, "engine threads (engine.threads; 0: one per core)")->check(CLI::Range(0, 256))},
      {"precision", command->add_option("--precision", args->precision, "fp32 or bf16 weight storage (engine.precision)")->check(CLI::IsMember({"fp32", "bf16"}))},
      {"temperature", command->add_option("--temperature", args->temperature, "sampling temperature (engine.temperature)")->check(CLI::PositiveNumber)},
      {"seed", command->add_option("--seed", args->seed, "sampling seed; every input clip uses it, so a clip sounds the same in any batch (engine.seed)")},
      {"fold", command->add_option("--fold", args->fold, "cut each clip into N pieces generated as a batch and cross-faded, or auto (engine.fold; 1: off)")},
  };
  command->add_flag("--stream", args->stream, "read raw float32 mel frames (n_mels values each) from standard input and write samples as they become final to --out (- for raw float32 on standard output)");
  command->add_flag("--float", args->float_wav, "write a 32-bit float wav instead of 16-bit PCM");
  command->add_flag("--plot", args->plot, "also write <out>.png: the input mel above the generated audio's mel");
  add_config_options(*command, args->config);
  command->footer(
      "All inputs are generated together, --batch at a time, grouped by length; a clip gets the same audio\n"
      "for a seed whatever else is in its batch (same thread count). A bad input is reported and the others\n"
      "still run (exit 2). Engine settings come from the checkpoint's engine.* section, then key=value\n"
      "arguments (engine.seed=7), then the flags above.\n");
  command->callback([args, seconds, count, engine_flags] {
    args->unconditional_options = seconds->count() > 0 || count->count() > 0;
    for (const auto& [name, option] : engine_flags) {
      if (option->count() > 0) args->given.insert(name);
    }
    run(*args);
  });
}

}  // namespace wn::cli
