#include "nets/engine/batched_synthesis.h"

#include <algorithm>
#include <numeric>

namespace wn {

std::vector<std::vector<float>> synthesize_batched(CachedEngine& engine, const std::vector<SynthesisClip>& clips,
                                                   const BatchedSynthesisOptions& options) {
  std::vector<std::size_t> order(clips.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return clips[a].samples > clips[b].samples; });
  std::vector<std::vector<float>> audio(clips.size());
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
      for (int64_t b = 0; b < B; ++b) {
        TORCH_CHECK(clips[rows[b]].label >= 0, "batched synthesis: give every clip a label, or none");
        request.labels[b] = clips[rows[b]].label;
      }
    }
    int64_t primed = 0;
    for (std::size_t r : rows) primed = std::max<int64_t>(primed, clips[r].prime.defined() ? clips[r].prime.size(0) : 0);
    if (primed > 0) {
      // The engine forces a common number of steps; rows share one prime length here.
      request.teacher = torch::zeros({B, primed});
      for (int64_t b = 0; b < B; ++b) {
        const torch::Tensor& prime = clips[rows[b]].prime;
        TORCH_CHECK(prime.defined() && prime.size(0) == primed, "batched synthesis: clips in one call need primes of one length");
        request.teacher[b].copy_(prime);
      }
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
    const torch::Tensor generated = engine.generate(request, 0);
    for (int64_t b = 0; b < B; ++b) {
      const SynthesisClip& clip = clips[rows[b]];
      const torch::Tensor row = generated[b].narrow(0, 0, clip.samples).contiguous();
      audio[rows[b]].assign(row.data_ptr<float>(), row.data_ptr<float>() + clip.samples);
      finished += clip.samples;
    }
  }
  return audio;
}

}  // namespace wn
