#pragma once
// Many clips through a fast generator at once: clips are sorted by length and generated in
// batches of at most `batch_size` rows, each row with its own mel length, label and seed, so
// every clip gets exactly the audio it would get in a batch of one (the fast generators'
// kernels and conditioning are batch-invariant). Grouping by length keeps padding small.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "nets/generator.h"

namespace wn {

struct SynthesisClip {
  torch::Tensor mel;    // (frames + 2*context, n_mels), or undefined for unconditional models
  int64_t samples = 0;  // length of the clip; at most frames * hop for mel-conditioned clips
  int64_t label = -1;   // global condition, or -1 (every clip has one, or none does)
  uint64_t seed = 0;
  torch::Tensor prime;  // (P) audio the clip starts with, teacher-forced; every clip has a
                        // prime of the same length, or none has
};

struct BatchedSynthesisOptions {
  int batch_size = 16;
  int hop_length = 0;      // samples per mel frame (required for mel-conditioned clips)
  int context_frames = 0;  // silence frames each side of a clip's mel (Model::data_needs())
  double temperature = 1.0;
  // Called from inside generation with the number of clip samples finished so far over all
  // clips (rows past their end do not count). Must not throw.
  std::function<void(int64_t)> on_samples;
};

// Calls on_clip(index into clips, audio) for every clip as soon as its batch is done (longest
// clips first), so a caller can write each one before the rest are generated. Throws
// std::invalid_argument when clips break the rules above.
void synthesize_batched(Generator& generator, const std::vector<SynthesisClip>& clips, const BatchedSynthesisOptions& options,
                        const std::function<void(std::size_t, std::vector<float>)>& on_clip);

}  // namespace wn
