#pragma once
// Many clips through the cached engine at once: clips are sorted by length and generated in
// batches of at most `batch_size` rows, each row with its own mel length, label, seed and prime,
// so every clip gets exactly the audio it would get in a batch of one (the engine's kernels
// and per-row upsampling are batch-invariant). Grouping by length keeps padding small.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "nets/engine/cached_engine.h"

namespace wn {

struct SynthesisClip {
  torch::Tensor mel;    // (frames + 2*context, n_mels), or undefined for unconditional models
  int64_t samples = 0;  // length of the clip
  int64_t label = -1;   // global condition, or -1
  uint64_t seed = 0;
  torch::Tensor prime;  // (P) audio the clip starts with (teacher-forced), or undefined
};

struct BatchedSynthesisOptions {
  int batch_size = 16;
  double temperature = 1.0;
  // Called from inside generation with the number of clip samples finished so far over all
  // clips (rows past their end do not count). Must not throw.
  std::function<void(int64_t)> on_samples;
};

// The audio of every clip, in the order given.
std::vector<std::vector<float>> synthesize_batched(CachedEngine& engine, const std::vector<SynthesisClip>& clips,
                                                   const BatchedSynthesisOptions& options);

}  // namespace wn
