// `wavenet demo`: the whole product on a built-in default, in a few minutes of CPU — a spoken
// corpus, preprocessing, a time-boxed training run, copy-synthesis of held-out utterances with
// the engine, evaluation against the originals and Griffin-Lim, and the engine benchmark.

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <memory>
#include <thread>

#include "core/atomic_file.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/log.h"
#include "dataio/audio_io.h"
#include "dataio/griffin_lim.h"
#include "dataio/loader.h"
#include "dataio/manifest.h"
#include "dataio/mel.h"
#include "dataio/spectrogram_png.h"
#include "dataio/objective_metrics.h"
#include "dataio/preprocess.h"
#include "experiments/cli_common.h"
#include "experiments/demo_corpus.h"
#include "nets/generation_bench.h"
#include "nets/model_loading.h"
#include "nets/training/trainer.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

struct DemoArgs {
  std::string out = "demo";
  double train_seconds = 240;
  double synth_seconds = 1.0;
  int utterances = 4;
  DemoCorpusOptions corpus;
  bool force = false;
  ConfigArgs config;
};

std::string fmt(double v) { return format_figure(v, 3); }

void stage(int n, const std::string& what) { WN_LOG(info) << "demo " << n << "/6: " << what; }

void run(const DemoArgs& args) {
  const fs::path out = args.out;
  if (args.force && fs::exists(out)) fs::remove_all(out);
  ConfigArgs config_args = args.config;
  if (config_args.config.empty()) config_args.config = "tiny";
  // The demo's own defaults come first so the user's key=value arguments still win.
  config_args.overrides.insert(config_args.overrides.begin(),
                               {"data.valid_fraction=0.08", "data.label_source=folder", "train.eval_every=0",
                                "train.log_every=50", "train.checkpoint_every=200"});
  const Config config = config_args.resolve();
  const int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));

  stage(1, "speaking a corpus with espeak-ng");
  const int files = make_demo_corpus(out / "corpus", args.corpus);

  stage(2, "preprocessing into HDF5 shards");
  const PreprocessResult pre = preprocess_corpus(out / "corpus", out / "shards", config);

  stage(3, "training " + config.model.output + " WaveNet for " + fmt(args.train_seconds) + " s");
  TrainerOptions train_options;
  train_options.data_dir = out / "shards";
  train_options.run_dir = out / "run";
  train_options.config = config;
  train_options.command_line = {"wavenet", "demo"};
  train_options.version = "wavenet demo";
  train_options.max_seconds = args.train_seconds;
  const TrainerResult trained = train(train_options);

  stage(4, "copy-synthesis of held-out utterances: WaveNet engine and Griffin-Lim");
  LoadedModel model = load_model(out / "run", /*use_ema=*/true);
  const Manifest manifest = read_manifest(out / "shards");
  const ValidationSet valid(out / "shards", manifest);
  const int hop = config.audio.hop_length;
  LoaderOptions crop;
  crop.batch_size = std::max(1, std::min<int>(args.utterances, static_cast<int>(valid.size())));
  crop.crop_samples = std::max<int64_t>(1, static_cast<int64_t>(args.synth_seconds * config.audio.sample_rate / hop)) * hop;
  crop.context_frames = model.model->data_needs().context_frames;
  const Batch batch = valid.crop_batches(crop, static_cast<std::size_t>(crop.batch_size)).front();
  const int64_t n = batch.audio.size(0);
  FastGeneratorOptions engine_options;
  engine_options.threads = threads;
  const std::unique_ptr<Generator> engine = model.model->fast_generator(engine_options);
  GenerationRequest request;
  // The crops are raw recipe mels (Griffin-Lim and the plots need those); the model gets them
  // standardised if it was trained that way.
  request.mel = batch.mel.clone().contiguous();
  if (config.data.normalize_mel) MelNormalizer(manifest).apply(request.mel.data_ptr<float>(), request.mel.size(0) * request.mel.size(1));
  request.samples = crop.crop_samples;
  const auto synth_start = std::chrono::steady_clock::now();
  const torch::Tensor generated = engine->generate(request, static_cast<uint64_t>(config.engine.seed));
  const double synth_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - synth_start).count();
  const int64_t frames = crop.crop_samples / hop;
  for (const char* kind : {"reference", "wavenet", "griffin_lim", "plots"}) fs::create_directories(out / "samples" / kind);
  const MelSpectrogram analysis(config.audio);
  for (int64_t i = 0; i < n; ++i) {
    const std::string name = "utt" + std::to_string(i) + "_" + fs::path(valid.utterance(static_cast<std::size_t>(i)).name).filename().string();
    auto row = [](const torch::Tensor& t) { return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel()); };
    write_wav(out / "samples/reference" / (name + ".wav"), row(batch.audio[i].contiguous()), config.audio.sample_rate);
    write_wav(out / "samples/wavenet" / (name + ".wav"), row(generated[i].contiguous()), config.audio.sample_rate);
    const torch::Tensor mel = batch.mel[i].narrow(0, crop.context_frames, frames).contiguous();
    const std::vector<float> gl_audio = griffin_lim_from_mel(row(mel), config.audio);
    write_wav(out / "samples/griffin_lim" / (name + ".wav"), gl_audio, config.audio.sample_rate);
    // Reference mel | WaveNet's audio's mel | Griffin-Lim's audio's mel.
    write_mel_panels_png(out / "samples/plots" / (name + ".png"),
                         {{row(mel), config.audio.n_mels},
                          {analysis.compressed(row(generated[i].contiguous())), config.audio.n_mels},
                          {analysis.compressed(gl_audio), config.audio.n_mels}});
  }

  stage(5, "objective evaluation against the originals");
  const DirectoryComparison ours = compare_directories(out / "samples/reference", out / "samples/wavenet", config.audio, hop);
  const DirectoryComparison gl = compare_directories(out / "samples/reference", out / "samples/griffin_lim", config.audio, hop);

  stage(6, "engine benchmark of the trained model");
  GenerationBenchOptions bench;
  bench.threads = threads;
  bench.seconds = 1.0;
  bench.baseline_steps = 256;
  const GenerationBenchReport report = run_generation_bench(*model.model, model.config, bench);
  std::string baselines;
  for (std::size_t i = 1; i < report.cases.size(); ++i) {
    baselines += "; " + report.cases[i].method + " " + std::to_string(static_cast<int64_t>(report.cases[i].samples_per_second));
  }

  std::ostringstream summary;
  const std::string speed = pre.processed_audio_seconds > 0 ? fmt(pre.speed()) + " s of audio per s" : "shards kept from an earlier run";
  summary << "\nwavenet demo summary\n"
          << "  corpus       " << files << " espeak-ng utterances -> " << pre.utterances << " landed, "
          << fmt(pre.audio_seconds / 60.0) << " min of audio (" << speed << ")\n"
          << "  training     steps " << trained.first_step << " -> " << trained.last_step << ", loss "
          << fmt(trained.first_loss) << " -> " << fmt(trained.last_loss) << ", " << static_cast<int64_t>(trained.samples_per_second)
          << " samples/s\n"
          << "  synthesis    " << n << " held-out clips of " << fmt(crop.crop_samples / double(config.audio.sample_rate))
          << " s in " << fmt(synth_wall) << " s (" << fmt(n * crop.crop_samples / synth_wall / config.audio.sample_rate)
          << "x real time, batch " << n << ", " << threads << " threads)\n\n"
          << "  vs original      log-mel L1   MCD (dB)   SNR (dB)\n"
          << "  WaveNet          " << fmt(ours.mean.log_mel_distance) << "        " << fmt(ours.mean.mel_cepstral_distortion_db)
          << "     " << fmt(ours.mean.snr_db) << "\n"
          << "  Griffin-Lim      " << fmt(gl.mean.log_mel_distance) << "        " << fmt(gl.mean.mel_cepstral_distortion_db)
          << "     " << fmt(gl.mean.snr_db) << "\n\n"
          << "  engine bench (batch 1, " << threads << " threads): " << static_cast<int64_t>(report.cases[0].samples_per_second)
          << " samples/s (" << fmt(report.cases[0].real_time_factor) << "x real time)" << baselines
          << "\n\n  wavs         " << (out / "samples").string() << "/{reference,wavenet,griffin_lim}\n"
          << "  plots        " << (out / "samples/plots").string() << " (mels: reference | WaveNet | Griffin-Lim)\n"
          << "  run dir      " << (out / "run").string() << "   (tensorboard --logdir " << (out / "run").string() << ")\n"
          << "  shards       " << (out / "shards").string() << "\n"
          << "  summary      " << (out / "summary.txt").string() << "\n";
  write_file_atomically(out / "summary.txt", summary.str());
  std::printf("%s", summary.str().c_str());
}

}  // namespace

void register_demo_command(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* command = app.add_subcommand(
      "demo", "The whole pipeline on a built-in spoken corpus: preprocess, train, synthesize, evaluate, bench");
  command->add_option("--out", args->out, "output directory")->capture_default_str();
  command->add_option("--train-seconds", args->train_seconds, "wall-clock training budget")->capture_default_str()->check(CLI::PositiveNumber);
  command->add_option("--synth-seconds", args->synth_seconds, "length of each copy-synthesised clip")->capture_default_str()->check(CLI::PositiveNumber);
  command->add_option("--utterances", args->utterances, "held-out clips to synthesise")->capture_default_str()->check(CLI::Range(1, 64));
  command->add_option("--sentences", args->corpus.sentences, "sentences per voice (up to 12)")->capture_default_str()->check(CLI::Range(1, 12));
  command->add_option("--voices", args->corpus.voices, "espeak-ng voices (up to 8)")->capture_default_str()->check(CLI::Range(1, 8));
  command->add_flag("--force", args->force, "delete the output directory first");
  add_config_options(*command, args->config);
  command->footer("Defaults to configs/tiny.yaml; rerunning reuses the corpus and shards and resumes training.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
