#include "nets/batched_synthesis.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace wn {
namespace {

int64_t prime_length(const SynthesisClip& clip) { return clip.prime.defined() ? clip.prime.size(0) : 0; }

// The rules of the header, checked for all clips before anything runs (within one batch the
// engine needs one label mode and one prime length; checking per batch would make an error
// depend on how clips happen to group).
void check_clips(const BatchedSynthesisOptions& options, const std::vector<SynthesisClip>& clips) {
  if (clips.empty()) return;
  const int64_t hop = options.hop_length;
  if (clips[0].mel.defined() && hop < 1) throw std::invalid_argument("mel-conditioned clips need options.hop_length");
  for (std::size_t i = 0; i < clips.size(); ++i) {
    const SynthesisClip& c = clips[i];
    const std::string which = "clip " + std::to_string(i) + ": ";
    if ((c.label >= 0) != (clips[0].label >= 0)) throw std::invalid_argument(which + "give every clip a label, or none");
    if (prime_length(c) != prime_length(clips[0])) throw std::invalid_argument(which + "every clip needs a prime of the same length, or none");
    if (prime_length(c) > c.samples) throw std::invalid_argument(which + "the prime is longer than the clip");
    const int64_t covered = c.mel.defined() ? (c.mel.size(0) - 2 * options.context_frames) * hop : 0;
    if (c.mel.defined() && c.samples > covered) {
      throw std::invalid_argument(which + std::to_string(c.samples) + " samples but the mel covers only " +
                                  std::to_string(covered));
    }
  }
}

}  // namespace

void synthesize_batched(Generator& generator, const std::vector<SynthesisClip>& clips, const BatchedSynthesisOptions& options,
                        const std::function<void(std::size_t, std::vector<float>)>& on_clip) {
  check_clips(options, clips);
  std::vector<std::size_t> order(clips.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return clips[a].samples > clips[b].samples; });
  const std::size_t batch_size = static_cast<std::size_t>(std::max(1, options.batch_size));
  int64_t finished = 0;  // samples of earlier batches
  for (std::size_t first = 0; first < order.size(); first += batch_size) {
    const std::vector<std::size_t> rows(order.begin() + first, order.begin() + std::min(order.size(), first + batch_size));
    const auto B = static_cast<int64_t>(rows.size());
    const SynthesisClip& longest = clips[rows.front()];
    GenerationRequest request;
    request.samples = longest.samples;
    request.batch = B;
    request.temperature = options.temperature;
    if (longest.mel.defined()) {
      int64_t frames = 0;
      for (std::size_t r : rows) frames = std::max(frames, clips[r].mel.size(0));
      request.mel = torch::zeros({B, frames, longest.mel.size(1)});
      for (int64_t b = 0; b < B; ++b) {
        const torch::Tensor& mel = clips[rows[b]].mel;
        request.mel[b].narrow(0, 0, mel.size(0)).copy_(mel);
        request.mel_frames.push_back(mel.size(0));
      }
    }
    if (longest.label >= 0) {
      request.labels = torch::empty({B}, torch::kLong);
      for (int64_t b = 0; b < B; ++b) request.labels[b] = clips[rows[b]].label;
    }
    if (prime_length(longest) > 0) {
      request.teacher = torch::zeros({B, prime_length(longest)});
      for (int64_t b = 0; b < B; ++b) request.teacher[b].copy_(clips[rows[b]].prime);
    }
    for (std::size_t r : rows) request.seeds.push_back(clips[r].seed);
    if (options.on_samples) {
      std::vector<int64_t> lengths;
      for (std::size_t r : rows) lengths.push_back(clips[r].samples);
      request.on_step = [&options, lengths, finished](int64_t steps) {
        int64_t done = finished;
        for (int64_t length : lengths) done += std::min(steps, length);
        options.on_samples(done);
      };
    }
    const torch::Tensor generated = generator.generate(request, 0);
    for (int64_t b = 0; b < B; ++b) {
      const SynthesisClip& clip = clips[rows[b]];
      const torch::Tensor row = generated[b].narrow(0, 0, clip.samples).contiguous();
      on_clip(rows[b], std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + clip.samples));
      finished += clip.samples;
    }
  }
}

}  // namespace wn
