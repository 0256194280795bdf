// `wavenet demo`: the whole product on a built-in default, in a few minutes of CPU — a corpus
// (speech from espeak-ng, or music rendered with FluidSynth), preprocessing, a time-boxed
// training run of the corpus's default model family, generation (copy-synthesis compared with
// Griffin-Lim for mel-conditioned models; primed continuations and clips from silence for
// unconditional ones), the validation loss before and after, and the generation benchmark.

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/log.h"
#include "dataio/manifest.h"
#include "dataio/preprocess.h"
#include "experiments/charts.h"
#include "experiments/cli_common.h"
#include "experiments/demo_corpus.h"
#include "experiments/demo_rating.h"
#include "experiments/demo_generation.h"
#include "experiments/music_corpus.h"
#include "nets/generation_bench.h"
#include "nets/model_loading.h"
#include "nets/model_registry.h"
#include "nets/training/trainer.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

struct DemoArgs {
  std::string corpus = "speech";
  std::string out;  // default: demo (speech), demo_music (music)
  double train_seconds = 240;
  double synth_seconds = 1.0;
  double prime_seconds = 1.0;
  int utterances = 4;
  DemoCorpusOptions speech;
  MusicCorpusOptions music;
  int clips = 200;
  bool force = false;
  ConfigArgs config;
};

std::string fmt(double v) { return format_figure(v, 3); }

void stage(int n, const std::string& what) { WN_LOG(info) << "demo " << n << "/5: " << what; }

// The corpus's defaults first, so the user's --config and key=value arguments still win.
Config demo_config(const DemoArgs& args, bool music) {
  ConfigArgs config_args = args.config;
  if (config_args.config.empty()) config_args.config = music ? "samplernn-tiny" : "demo-voiced";
  config_args.overrides.insert(config_args.overrides.begin(),
                               {music ? "data.valid_fraction=0.1" : "data.valid_fraction=0.08", "data.label_source=folder",
                                "train.eval_every=0", "train.log_every=50", "train.checkpoint_every=200"});
  return config_args.resolve();
}

int make_corpus(const DemoArgs& args, bool music, const Config& config, const fs::path& dir) {
  if (!music) return make_demo_corpus(dir, args.speech);
  MusicCorpusOptions options = args.music;
  options.sample_rate = config.audio.sample_rate;
  return make_music_corpus(dir, options);
}

// The validation loss of the untrained model, built as the trainer builds it (same seed).
double untrained_validation_loss(const Config& config, const fs::path& shards) {
  torch::manual_seed(static_cast<uint64_t>(config.train.seed));
  const std::unique_ptr<Model> model = build_model(config, static_cast<int>(read_manifest(shards).labels.size()));
  return validation_loss(*model, config, shards, "cpu");
}

TrainerResult train_for_budget(const DemoArgs& args, const Config& config, const fs::path& out) {
  TrainerOptions options;
  options.data_dir = out / "shards";
  options.run_dir = out / "run";
  options.config = config;
  options.command_line = {"wavenet", "demo"};
  options.version = "wavenet demo";
  options.max_seconds = args.train_seconds;
  return train(options);
}

// One system's row of the demo's summary table.
std::string summary_row(const std::string& system, const AudioComparison& m) {
  char line[256];
  auto figure = [](double v) { return std::isnan(v) ? std::string("-") : fmt(v); };
  std::snprintf(line, sizeof line, "  %-16s %10s %10s %10s %13s %8s %10s %12s %10s\n", system.substr(0, 16).c_str(),
                figure(m.log_mel_distance).c_str(), figure(m.mcd_db).c_str(), figure(m.log_spectral_distance_db).c_str(),
                figure(m.f0_rmse_cents).c_str(), figure(m.f0_gross_error).c_str(), figure(m.voicing_error).c_str(),
                figure(m.silence_floor_db).c_str(), figure(m.snr_db).c_str());
  return line;
}

// Stage 4 by the kind of model: copy-synthesis (mel-conditioned) or continuations and clips from
// silence (unconditional). Returns the summary's lines for it.
std::string generate_samples(const LoadedModel& model, const DemoGenerationOptions& generation) {
  const std::string& type = model.config.model.type;
  std::ostringstream text;
  if (model.config.model.local_conditioning) {
    stage(4, "copy-synthesis of held-out utterances with the engine and Griffin-Lim, evaluated against the originals");
    const CopySynthesisReport r = demo_copy_synthesis(model, generation);
    text << "  synthesis    " << r.clips << " held-out clips of " << fmt(r.clip_seconds) << " s in " << fmt(r.wall_seconds)
         << " s (" << fmt(r.real_time) << "x real time, batch " << r.clips << ", " << generation.threads << " threads)\n\n"
         << "  vs original      log-mel L1   MCD (dB)   LSD (dB)   F0 RMSE (c)   F0 GPE   V/UV err   floor (dB)   SNR (dB)\n"
         << summary_row(type, r.model.mean) << summary_row("Griffin-Lim", r.griffin_lim.mean);
  } else {
    stage(4, "continuing held-out recordings, and generating from silence");
    const ContinuationReport r = demo_continuations(model, generation);
    text << "  generation   " << r.primed << " continuations of " << fmt(generation.prime_seconds) << " s primes and "
         << r.unconditional << " clips from silence, " << fmt(r.clip_seconds) << " s each, in " << fmt(r.wall_seconds)
         << " s (" << fmt(r.real_time) << "x real time, " << generation.threads << " threads)\n";
  }
  return text.str();
}

// Stage 5: the fast generator against its baselines at batch 1, drawn to `chart`. Returns the summary's line.
std::string bench_trained_model(const LoadedModel& model, int threads, const fs::path& chart) {
  stage(5, "generation benchmark of the trained model");
  GenerationBenchOptions bench;
  bench.threads = threads;
  bench.seconds = 1.0;
  bench.baseline_steps = 256;
  const GenerationBenchReport report = run_generation_bench(*model.model, model.config, bench);
  write_speed_chart(chart, report, "demo " + model.config.model.type + " at step " + std::to_string(model.step) +
                                       ": generation speed, batch 1, " + std::to_string(threads) + (threads == 1 ? " thread" : " threads"));
  std::ostringstream text;
  text << "  engine bench (batch 1, " << threads << " threads): " << static_cast<int64_t>(report.cases[0].samples_per_second)
       << " samples/s (" << fmt(report.cases[0].real_time_factor) << "x real time)";
  for (std::size_t i = 1; i < report.cases.size(); ++i) {
    text << "; " << report.cases[i].method << " " << static_cast<int64_t>(report.cases[i].samples_per_second);
  }
  return text.str() + "\n";
}

// What the stages measured, for the summary.
struct DemoResults {
  int files = 0;
  PreprocessResult preprocessed;
  TrainerResult trained;
  double loss_before = 0, loss_after = 0;
  std::string generation, bench;
};

std::string summary_text(const DemoArgs& args, const Config& config, const fs::path& out, const DemoResults& r) {
  const bool music = args.corpus == "music";
  const PreprocessResult& pre = r.preprocessed;
  const std::string speed = pre.processed_audio_seconds > 0 ? fmt(pre.speed()) + " s of audio per s" : "shards kept from an earlier run";
  std::ostringstream summary;
  summary << "\nwavenet demo summary (" << args.corpus << ", " << config.model.type << ")\n"
          << "  corpus       " << r.files << (music ? " FluidSynth improvisations" : " espeak-ng utterances") << " -> "
          << pre.utterances << " landed, " << fmt(pre.audio_seconds / 60.0) << " min of audio (" << speed << ")\n"
          << "  training     steps " << r.trained.first_step << " -> " << r.trained.last_step << ", loss "
          << fmt(r.trained.first_loss) << " -> " << fmt(r.trained.last_loss) << ", "
          << static_cast<int64_t>(r.trained.samples_per_second) << " samples/s\n"
          << "  validation   loss " << fmt(r.loss_before) << " untrained -> " << fmt(r.loss_after) << " (EMA weights)\n"
          << r.generation << "\n"
          << r.bench << "\n"
          << "  wavs         " << (out / "samples").string() << "/\n"
          << "  plots        " << (out / "samples/plots").string() << " (log-mel spectrograms, time and Hz axes)\n"
          << "  curves       " << (out / "run/curves.png").string() << " (loss and learning rate; wavenet plot draws them)\n"
          << "  bench chart  " << (out / "bench.png").string() << "\n"
          << "  run dir      " << (out / "run").string() << "   (tensorboard --logdir " << (out / "run").string() << ")\n"
          << "  shards       " << (out / "shards").string() << "\n"
          << "  summary      " << (out / "summary.txt").string() << "\n";
  return summary.str();
}

void run_rating(const DemoArgs& args) {
  const fs::path out = args.out.empty() ? "demo_rating" : args.out;
  if (args.force && fs::exists(out)) fs::remove_all(out);
  RatingDemoOptions options;
  options.out = out;
  options.train_seconds = args.train_seconds;
  options.dream_seconds = args.synth_seconds;
  options.clips = args.clips;
  ConfigArgs config = args.config;
  if (config.config.empty()) config.config = "rating";
  options.config = config.resolve();
  run_rating_demo(options);
}

void run(const DemoArgs& args) {
  if (args.corpus == "rating") return run_rating(args);
  const bool music = args.corpus == "music";
  const fs::path out = args.out.empty() ? (music ? "demo_music" : "demo") : args.out;
  if (args.force && fs::exists(out)) fs::remove_all(out);
  const Config config = demo_config(args, music);
  const int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  DemoResults results;

  stage(1, music ? "rendering improvisations with FluidSynth" : "speaking a corpus with espeak-ng");
  results.files = make_corpus(args, music, config, out / "corpus");

  stage(2, "preprocessing into HDF5 shards");
  results.preprocessed = preprocess_corpus(out / "corpus", out / "shards", config);

  stage(3, "training " + config.model.type + " for " + fmt(args.train_seconds) + " s");
  results.loss_before = untrained_validation_loss(config, out / "shards");
  results.trained = train_for_budget(args, config, out);
  const LoadedModel model = load_model(out / "run", /*use_ema=*/true);
  results.loss_after = validation_loss(*model.model, model.config, out / "shards", "cpu");

  DemoGenerationOptions generation;
  generation.out = out;
  generation.shards = out / "shards";
  generation.clips = args.utterances;
  generation.seconds = args.synth_seconds;
  generation.prime_seconds = args.prime_seconds;
  generation.threads = threads;
  results.generation = generate_samples(model, generation);
  results.bench = bench_trained_model(model, threads, out / "bench.png");
  CurvesFigure curves;
  curves.out = out / "run/curves.png";
  write_training_curves(read_run_events(out / "run"), (out / "run").string(), curves);

  const std::string summary = summary_text(args, config, out, results);
  write_file_atomically(out / "summary.txt", summary);
  std::printf("%s", summary.c_str());
}

}  // namespace

void register_demo_command(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* command = app.add_subcommand(
      "demo", "The whole pipeline on a built-in corpus (speech or music): preprocess, train, generate, evaluate, bench");
  command->add_option("--corpus", args->corpus, "speech (espeak-ng voices, WaveNet `demo-voiced`), music (FluidSynth improvisations, SampleRNN `samplernn-tiny`) or rating (tones of a known taste, the rating network `rating` and dreaming)")
      ->check(CLI::IsMember({"speech", "music", "rating"}))
      ->capture_default_str();
  command->add_option("--out", args->out, "output directory (default: demo, demo_music or demo_rating by corpus)");
  command->add_option("--train-seconds", args->train_seconds, "wall-clock training budget")->capture_default_str()->check(CLI::PositiveNumber);
  command->add_option("--synth-seconds", args->synth_seconds, "length of each generated clip (after the prime; rating: of each dream)")->capture_default_str()->check(CLI::PositiveNumber);
  command->add_option("--prime-seconds", args->prime_seconds, "unconditional models: seconds of each held-out recording to continue")->capture_default_str()->check(CLI::PositiveNumber);
  command->add_option("--utterances", args->utterances, "held-out clips to generate (and as many from silence)")->capture_default_str()->check(CLI::Range(1, 64));
  command->add_option("--sentences", args->speech.sentences, "speech: sentences per voice (up to 12)")->capture_default_str()->check(CLI::Range(1, 12));
  command->add_option("--voices", args->speech.voices, "speech: espeak-ng voices (up to 8)")->capture_default_str()->check(CLI::Range(1, 8));
  command->add_option("--takes", args->music.takes_per_instrument, "music: improvisations per instrument")->capture_default_str()->check(CLI::Range(1, 1000));
  command->add_option("--instruments", args->music.instruments, "music: lead instruments (up to 4: piano, flute, guitar, sax)")->capture_default_str()->check(CLI::Range(1, 4));
  command->add_option("--take-seconds", args->music.seconds, "music: length of each improvisation")->capture_default_str()->check(CLI::PositiveNumber);
  command->add_option("--clips", args->clips, "rating: tones in the corpus")->capture_default_str()->check(CLI::Range(20, 100000));
  command->add_flag("--force", args->force, "delete the output directory first");
  add_config_options(*command, args->config);
  command->footer("Defaults to configs/demo-voiced.yaml (speech), configs/samplernn-tiny.yaml (music) or configs/rating.yaml\n"
                  "(rating); rerunning reuses the corpus and shards and resumes training.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
