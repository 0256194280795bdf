#include "experiments/clip_generation.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <thread>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/progress.h"
#include "nets/batched_synthesis.h"
#include "nets/folded_synthesis.h"

namespace wn::cli {
namespace {

// Reports `done` samples to a progress bar every 4096 samples (and at the end).
class SampleProgress {
 public:
  SampleProgress(bool shown, const std::string& title, int64_t total) : total_(total) {
    if (!shown) return;
    ProgressOptions po;
    po.unit = "samples";
    bar_ = std::make_unique<ProgressBar>(title, total, po);
  }
  bool due(int64_t done) const { return bar_ && (done - reported_ >= 4096 || done == total_); }
  void update(int64_t done, const std::string& detail = "") {
    if (!due(done)) return;
    if (!detail.empty()) bar_->set_detail(detail);
    bar_->advance(done - reported_);
    reported_ = done;
  }
  void finish() {
    if (bar_) bar_->finish();
  }

 private:
  std::unique_ptr<ProgressBar> bar_;
  int64_t total_ = 0;
  int64_t reported_ = 0;
};

// Folding: each clip on its own, cut into pieces generated as one batch (nets/folded_synthesis.h).
void generate_folded(const std::vector<Clip>& clips, const LoadedModel& model, const ClipGenerationOptions& options,
                     Generator& generator, const std::function<void(const Clip&, const std::vector<float>&)>& write) {
  const EngineConfig& e = options.engine;
  const AudioConfig& a = model.config.audio;
  FoldOptions fold;
  fold.hop_length = a.hop_length;
  fold.context_frames = model.model->data_needs().context_frames;
  fold.temperature = e.temperature;
  fold.overlap_frames = e.fold_overlap_frames > 0 ? e.fold_overlap_frames
                                                   : fold_overlap_frames(generator.facts().receptive_field_samples, a.hop_length);
  for (const Clip& clip : clips) {
    const int64_t frames = static_cast<int64_t>(clip.mel.size()) / a.n_mels;
    fold.segments = e.fold == 0 ? automatic_fold(frames, fold.overlap_frames, kMaxAutomaticFold) : e.fold;
    SampleProgress progress(options.progress, clip.name + " (fold " + std::to_string(fold.segments) + ")", folded_steps(frames, fold));
    fold.on_samples = [&](int64_t done) { progress.update(done); };
    std::vector<float> audio = synthesize_folded(generator, conditioning_mel(model, clip.mel), clip.label, clip.seed, fold);
    progress.finish();
    audio.resize(static_cast<std::size_t>(clip.samples));
    write(clip, audio);
  }
}

}  // namespace

Clip mel_clip(SynthInput input, const AudioConfig& recipe, int64_t seed) {
  Clip clip;
  static_cast<SynthInput&>(clip) = std::move(input);
  clip.samples = static_cast<int64_t>(clip.mel.size()) / recipe.n_mels * recipe.hop_length;
  clip.seed = static_cast<uint64_t>(seed);
  return clip;
}

std::vector<float> prime_samples(const UtteranceFeatures& features, const AudioConfig& recipe, const std::string& source) {
  if (features.frames < 2) throw UserError(source + ": too short to prime with (less than one frame)");
  return std::vector<float>(features.audio.begin(), features.audio.begin() + (features.frames - 1) * recipe.hop_length);
}

std::vector<Clip> unconditional_clips(const std::vector<float>& prime, double seconds, int count, int64_t seed,
                                      const std::string& stem, const std::string& source, int sample_rate) {
  std::vector<Clip> clips;
  for (int i = 0; i < count; ++i) {
    Clip clip;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_%03d", i);
    clip.name = count == 1 ? stem : stem + suffix;
    clip.source = source;
    clip.prime = prime;
    clip.samples = static_cast<int64_t>(prime.size()) + std::llround(seconds * sample_rate);
    clip.seed = static_cast<uint64_t>(seed) + static_cast<uint64_t>(i);
    clips.push_back(std::move(clip));
  }
  return clips;
}

int fold_setting(const std::string& value, const std::string& flag) {
  if (value == "auto") return 0;
  char* end = nullptr;
  const long n = std::strtol(value.c_str(), &end, 10);
  if (end == value.c_str() || *end != '\0' || n < 1 || n > 256) {
    throw UserError(flag + " " + value + ": give auto or a number of pieces from 1 (off) to 256");
  }
  return static_cast<int>(n);
}

std::unique_ptr<Generator> engine_generator(const LoadedModel& model, const EngineConfig& e, bool announce) {
  FastGeneratorOptions options;
  options.threads = e.threads > 0 ? e.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  options.precision = e.precision;
  std::unique_ptr<Generator> generator = model.model->fast_generator(options);
  if (!generator) throw UserError(model.checkpoint.string() + ": model.type=" + model.config.model.type + " does not generate audio");
  if (!announce) return generator;
  const GeneratorFacts f = generator->facts();
  std::fprintf(stderr, "engine: %s kernels, %s, %d threads, batch %d, fold %s, seed %lld, temperature %g, %s weights\n",
               f.kernels.c_str(), f.precision.c_str(), f.threads, e.batch,
               e.fold == 0 ? "auto" : std::to_string(e.fold).c_str(), static_cast<long long>(e.seed), e.temperature,
               e.use_ema ? "EMA" : "raw");
  return generator;
}

void generate_clips(const std::vector<Clip>& clips, const LoadedModel& model, const ClipGenerationOptions& options,
                    const std::function<void(const Clip&, const std::vector<float>&)>& write) {
  const ModelConfig& m = model.config.model;
  const AudioConfig& a = model.config.audio;
  const EngineConfig& e = options.engine;
  const std::unique_ptr<Generator> generator = engine_generator(model, e, options.announce);
  if (m.local_conditioning && e.fold != 1) return generate_folded(clips, model, options, *generator, write);
  std::vector<SynthesisClip> requests;
  int64_t total = 0;
  for (const Clip& clip : clips) {
    SynthesisClip r;
    if (m.local_conditioning) r.mel = conditioning_mel(model, clip.mel);
    r.samples = clip.samples;
    r.label = clip.label;
    r.seed = clip.seed;
    if (!clip.prime.empty()) r.prime = torch::tensor(clip.prime);
    requests.push_back(r);
    total += clip.samples;
  }
  SampleProgress progress(options.progress, std::to_string(clips.size()) + (clips.size() == 1 ? " clip" : " clips"), total);
  const auto start = std::chrono::steady_clock::now();
  BatchedSynthesisOptions batched;
  batched.batch_size = e.batch;
  batched.hop_length = a.hop_length;
  batched.context_frames = model.model->data_needs().context_frames;
  batched.temperature = e.temperature;
  batched.on_samples = [&](int64_t done) {
    if (!progress.due(done)) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char detail[64];
    std::snprintf(detail, sizeof detail, "%.2fx real time", done / std::max(elapsed, 1e-9) / a.sample_rate);
    progress.update(done, detail);
  };
  synthesize_batched(*generator, requests, batched, [&](std::size_t i, std::vector<float> audio) { write(clips[i], audio); });
  progress.finish();
}

EngineConfig engine_with_overrides(const Config& base, const std::string& origin, const std::vector<std::string>& overrides) {
  if (overrides.empty()) return base.engine;
  for (const std::string& o : overrides) {
    if (o.rfind("engine.", 0) != 0) throw UserError(o + ": with --checkpoint only engine.* settings can change (the model and its recipe are the checkpoint's)");
  }
  return config_from_yaml(config_to_yaml(base), origin, overrides).engine;
}

}  // namespace wn::cli
