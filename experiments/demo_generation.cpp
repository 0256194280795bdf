#include "experiments/demo_generation.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>

#include "core/errors.h"
#include "dataio/audio_io.h"
#include "dataio/figures/spectrogram_figure.h"
#include "dataio/griffin_lim.h"
#include "dataio/loader.h"
#include "dataio/manifest.h"
#include "dataio/mel.h"
#include "nets/batched_synthesis.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<float> row_of(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

std::string clip_name(const ValidationSet& valid, std::size_t i) {
  return "utt" + std::to_string(i) + "_" + fs::path(valid.utterance(i).name).filename().string();
}

// The model as its pictures name it: "wavenet step 2000".
std::string system_name(const LoadedModel& model) {
  return model.config.model.type + " step " + std::to_string(model.step);
}

std::unique_ptr<Generator> fast_generator(const LoadedModel& model, int threads) {
  FastGeneratorOptions options;
  options.threads = threads;
  std::unique_ptr<Generator> generator = model.model->fast_generator(options);
  if (!generator) throw UserError("model.type=" + model.config.model.type + " generates no audio");
  return generator;
}

}  // namespace

CopySynthesisReport demo_copy_synthesis(const LoadedModel& model, const DemoGenerationOptions& o) {
  const Config& config = model.config;
  const Manifest manifest = read_manifest(o.shards);
  const ValidationSet valid(o.shards, manifest);
  if (valid.size() == 0) throw UserError(o.shards.string() + ": no held-out utterances to synthesise");
  const int hop = config.audio.hop_length;
  LoaderOptions crop;
  crop.batch_size = std::max(1, std::min<int>(o.clips, static_cast<int>(valid.size())));
  crop.crop_samples = std::max<int64_t>(1, static_cast<int64_t>(o.seconds * config.audio.sample_rate / hop)) * hop;
  crop.context_frames = model.model->data_needs().context_frames;
  const Batch batch = valid.crop_batches(crop, static_cast<std::size_t>(crop.batch_size)).front();
  const int64_t n = batch.audio.size(0);
  GenerationRequest request;
  // The crops are raw recipe mels (Griffin-Lim and the plots need those); the model gets them
  // standardised if it was trained that way.
  request.mel = batch.mel.clone().contiguous();
  if (config.data.normalize_mel) MelNormalizer(manifest).apply(request.mel.data_ptr<float>(), request.mel.size(0) * request.mel.size(1));
  request.samples = crop.crop_samples;
  request.temperature = config.engine.temperature;
  const auto start = Clock::now();
  const torch::Tensor generated = fast_generator(model, o.threads)->generate(request, static_cast<uint64_t>(config.engine.seed));
  CopySynthesisReport report;
  report.clips = static_cast<int>(n);
  report.clip_seconds = crop.crop_samples / double(config.audio.sample_rate);
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  report.real_time = n * report.clip_seconds / report.wall_seconds;

  const fs::path samples = o.out / "samples";
  const std::string ours = config.model.type;  // samples/wavenet, samples/samplernn, ...
  for (const std::string kind : {"reference", ours.c_str(), "griffin_lim", "plots"}) fs::create_directories(samples / kind);
  const MelSpectrogram analysis(config.audio);
  const SpectrogramAxes axes = spectrogram_axes(config.audio);
  const std::string system = system_name(model);
  const int n_mels = config.audio.n_mels;
  const int64_t frames = crop.crop_samples / hop;
  for (int64_t i = 0; i < n; ++i) {
    const std::string name = clip_name(valid, static_cast<std::size_t>(i));
    write_wav(samples / "reference" / (name + ".wav"), row_of(batch.audio[i]), config.audio.sample_rate);
    write_wav(samples / ours / (name + ".wav"), row_of(generated[i]), config.audio.sample_rate);
    const std::vector<float> mel = row_of(batch.mel[i].narrow(0, crop.context_frames, frames));
    const std::vector<float> gl_audio = griffin_lim_from_mel(mel, config.audio);
    write_wav(samples / "griffin_lim" / (name + ".wav"), gl_audio, config.audio.sample_rate);
    // The reference's mel above the mels of the model's and Griffin-Lim's audio made from it.
    write_spectrogram_figure(samples / "plots" / (name + ".png"), name + ": copy-synthesis of its mel",
                             {{"reference: " + name, mel, n_mels},
                              {system + ": generated", analysis.compressed(row_of(generated[i])), n_mels},
                              {"Griffin-Lim: generated", analysis.compressed(gl_audio), n_mels}},
                             axes, 1200, 700);
  }
  report.model = compare_directories(samples / "reference", samples / ours, config.audio, hop);
  report.griffin_lim = compare_directories(samples / "reference", samples / "griffin_lim", config.audio, hop);
  return report;
}

namespace {

// The demo's unconditional clips: continuations of held-out recordings long enough to prime with
// and to show their real continuation (each read once), and clips from silence.
struct ContinuationClips {
  std::vector<std::string> names;                 // of the primed clips' sources
  std::vector<std::vector<float>> originals;      // their first prime + seconds of audio
  std::vector<SynthesisClip> primed, from_silence;
};

ContinuationClips continuation_clips(const ValidationSet& valid, const DemoGenerationOptions& o, const Config& config) {
  const int rate = config.audio.sample_rate;
  const auto prime = static_cast<int64_t>(o.prime_seconds * rate);
  const auto length = prime + static_cast<int64_t>(o.seconds * rate);
  const auto seed = static_cast<uint64_t>(config.engine.seed);
  ContinuationClips c;
  for (std::size_t i = 0; i < valid.size() && static_cast<int>(c.primed.size()) < o.clips; ++i) {
    const std::vector<float> audio = valid.utterance(i).audio;
    if (static_cast<int64_t>(audio.size()) < length) continue;
    SynthesisClip clip;
    clip.prime = torch::tensor(std::vector<float>(audio.begin(), audio.begin() + prime));
    clip.samples = length;
    clip.seed = seed + c.primed.size();
    c.primed.push_back(clip);
    c.names.push_back(clip_name(valid, i));
    c.originals.emplace_back(audio.begin(), audio.begin() + length);
  }
  for (int i = 0; i < o.clips; ++i) {
    SynthesisClip clip;
    clip.samples = static_cast<int64_t>(o.seconds * rate);
    clip.seed = seed + 1000 + static_cast<uint64_t>(i);
    c.from_silence.push_back(clip);
  }
  return c;
}

}  // namespace

ContinuationReport demo_continuations(const LoadedModel& model, const DemoGenerationOptions& o) {
  const Config& config = model.config;
  const int rate = config.audio.sample_rate, n_mels = config.audio.n_mels;
  const ContinuationClips clips = continuation_clips(ValidationSet(o.shards, read_manifest(o.shards)), o, config);
  const fs::path samples = o.out / "samples";
  for (const char* kind : {"primed", "unconditional", "plots"}) fs::create_directories(samples / kind);
  const MelSpectrogram analysis(config.audio);
  const SpectrogramAxes axes = spectrogram_axes(config.audio);
  const std::string system = system_name(model);
  const std::unique_ptr<Generator> generator = fast_generator(model, o.threads);
  BatchedSynthesisOptions batched;
  batched.batch_size = std::max(1, o.clips);
  batched.hop_length = config.audio.hop_length;
  int64_t total = 0;
  const auto start = Clock::now();
  // Primed clips and clips from silence in two calls: a batch shares one prime length.
  synthesize_batched(*generator, clips.primed, batched, [&](std::size_t i, std::vector<float> audio) {
    total += static_cast<int64_t>(audio.size());
    write_wav(samples / "primed" / (clips.names[i] + ".wav"), audio, rate);
    // The real take above the model's continuation of its first prime_seconds.
    char primed[64];
    std::snprintf(primed, sizeof primed, ": continues the first %g s", o.prime_seconds);
    write_spectrogram_figure(samples / "plots" / ("primed_" + clips.names[i] + ".png"),
                             clips.names[i] + ": the recording and the model's continuation",
                             {{"reference: " + clips.names[i], analysis.compressed(clips.originals[i]), n_mels},
                              {system + primed, analysis.compressed(audio), n_mels}},
                             axes);
  });
  synthesize_batched(*generator, clips.from_silence, batched, [&](std::size_t i, std::vector<float> audio) {
    total += static_cast<int64_t>(audio.size());
    const std::string name = "sample_" + std::to_string(i);
    write_wav(samples / "unconditional" / (name + ".wav"), audio, rate);
    write_spectrogram_figure(samples / "plots" / ("unconditional_" + name + ".png"), name + ": generated from silence",
                             {{system + ": from silence", analysis.compressed(audio), n_mels}}, axes, 1200, 450);
  });
  ContinuationReport report;
  report.primed = static_cast<int>(clips.primed.size());
  report.unconditional = o.clips;
  report.clip_seconds = o.seconds;
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  report.real_time = total / double(rate) / report.wall_seconds;
  return report;
}

}  // namespace wn::cli
