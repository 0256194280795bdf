#pragma once
// Sample-by-sample generation with LibTorch ops and the fast-WaveNet cache: each residual layer
// keeps a ring buffer of its last (kernel_size-1)*dilation inputs, so a step costs O(layers),
// not O(receptive field). Batched and device-agnostic (it runs wherever the model lives), so it
// is the GPU path and the baseline the hand-written CPU engine is measured against.

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "nets/outputs/output_distribution.h"
#include "nets/wavenet.h"

namespace wn {

struct GenerationRequest {
  torch::Tensor mel;      // (B, frames + 2*context, n_mels), or undefined (unconditional)
  torch::Tensor labels;   // (B) int64, or undefined
  int64_t samples = 0;    // steps to run; frames * hop for mel-conditioned models
  int64_t batch = 1;      // used when mel is undefined
  double temperature = 1.0;
  // Teacher forcing: (B, P) true audio fed back instead of the model's own samples for the
  // first P <= samples steps; the steps after it are sampled (P < samples primes a continuation).
  torch::Tensor teacher;
  // Rows of different lengths in one batch (cached engine only). mel_frames[b]: the frames of
  // row b's mel (context included) that are its own; the rest is padding that its upsampler
  // never sees. seeds[b]: row b's sampling seed. Row b then gets bit for bit the audio that a
  // batch of one with seed seeds[b] gets, over its own length.
  std::vector<int64_t> mel_frames;
  std::vector<uint64_t> seeds;
  // Called after each step with the number of steps done (progress bars). Must not throw:
  // the cached engine calls it from inside its thread team.
  std::function<void(int64_t)> on_step;
};

class IncrementalGenerator {
 public:
  IncrementalGenerator(WaveNet net, const OutputDistribution& distribution, int64_t condition_chunk = 1024);

  // Generated audio (B, samples). With `outputs` non-null, also the network output of every
  // step, (B, out_channels, samples): step t's output is the distribution of sample t.
  torch::Tensor generate(const GenerationRequest& request, torch::Generator& generator,
                         torch::Tensor* outputs = nullptr);

 private:
  WaveNet net_;
  const OutputDistribution& distribution_;
  int64_t chunk_;
};

}  // namespace wn
