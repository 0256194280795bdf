#include "nets/audio_likelihood.h"

#include <torch/torch.h>

#include <numeric>

#include "core/errors.h"
#include "dataio/audio_cleaning.h"
#include "dataio/loader.h"  // Batch
#include "dataio/mel.h"

namespace wn {
namespace {

int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

AudioLikelihood audio_likelihood(const LoadedModel& loaded, const LikelihoodInput& input) {
  Model& model = *loaded.model;
  const ModelConfig& m = loaded.config.model;
  const DataNeeds needs = model.data_needs();
  if (needs.f0) {
    throw UserError(loaded.checkpoint.string() + ": the likelihood of a pitch-conditioned WaveNet needs its training F0 "
                    "track of the audio; not built yet");
  }
  const AudioConfig& a = loaded.config.audio;
  const int64_t hop = a.hop_length;
  // The likelihood is of what the model models: the audio after the recipe's gain and pre-emphasis.
  std::vector<float> modelled = input.audio;
  apply_emphasis(modelled, a);
  auto scored = static_cast<int64_t>(modelled.size());
  std::vector<float> rows = input.mel;
  bool has_context = input.mel_has_context;
  int64_t frames = 0;  // mel frames the audio is scored against, context rows excluded
  if (m.local_conditioning) {
    if (rows.empty()) {
      // As preprocess makes them: 1 + T/hop centred frames of the audio, which covers frames * hop samples.
      if (scored <= a.n_fft / 2) {
        throw UserError("the audio's " + std::to_string(scored) + " samples are shorter than one mel frame of the model's recipe");
      }
      const std::vector<float>& described = a.mel_before_emphasis ? input.audio : modelled;
      rows = MelSpectrogram(a).compressed(std::vector<float>(described.begin(), described.begin() + scored));
      has_context = false;
    }
    if (rows.size() % static_cast<std::size_t>(a.n_mels) != 0) {
      throw UserError("a mel of " + std::to_string(rows.size()) + " values is not whole rows of " + std::to_string(a.n_mels) + " bins");
    }
    frames = static_cast<int64_t>(rows.size()) / a.n_mels - (has_context ? 2 * needs.context_frames : 0);
    if (frames < 1) throw UserError("the mel has no frames beyond its context rows");
    // Centred frames: the audio's T samples have 1 + T/hop of them (the last one centred on or before sample T).
    if ((frames - 1) * hop > scored) {
      throw UserError("the mel has " + std::to_string(frames) + " frames; the audio's " + std::to_string(scored) +
                      " samples have at most " + std::to_string(1 + scored / hop) + " (hop " + std::to_string(hop) + ")");
    }
    scored = std::min(scored, frames * hop);
  }
  if (scored < 2) throw UserError("need at least 2 samples to score (the first has no history)");

  // The model's length rules: whole mel frames, whole top-tier frames. What is padded after the
  // scored samples cannot reach them (every family is causal).
  int64_t multiple = m.local_conditioning ? hop : 1;
  if (needs.sequential) multiple = std::lcm(multiple, static_cast<int64_t>(needs.history_samples));
  const int64_t length = round_up(m.local_conditioning ? frames * hop : scored, multiple);
  std::vector<float> audio(modelled.begin(), modelled.begin() + scored);
  audio.resize(static_cast<std::size_t>(length), 0.0f);

  Batch batch;
  batch.audio = torch::from_blob(audio.data(), {1, length}, torch::kFloat);
  if (m.local_conditioning) {
    rows.resize(rows.size() + static_cast<std::size_t>((length / hop - frames) * a.n_mels), MelSpectrogram(a).silence_value());
    batch.mel = conditioning_mel(loaded, rows, has_context).unsqueeze(0);
  }
  if (m.global_conditioning) {
    if (input.label < 0) throw UserError(loaded.checkpoint.string() + " is conditioned on a label; give one");
    batch.label = torch::tensor({input.label}, torch::kLong);
  }
  batch.reset = torch::ones({1}, torch::kBool);

  model.module().eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor nll = model.sample_nll(batch, torch::kCPU);
  if (!nll.defined()) throw UserError(loaded.checkpoint.string() + ": model.type=" + m.type + " does not model audio");
  AudioLikelihood result;
  result.samples = scored - 1;
  result.nats_per_sample = nll[0].narrow(0, 1, scored - 1).to(torch::kDouble).mean().item<double>();
  return result;
}

}  // namespace wn
