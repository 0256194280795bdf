#pragma once
// What every audio generator of every model family takes and gives: a request (conditioning,
// labels, length, sampling settings, teacher forcing, per-row seeds and lengths) and audio
// (B, samples). A family's fast CPU generator, its LibTorch reference generator and its bench
// baselines all implement Generator, so synthesis, evaluation and the bench need no family names.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wn {

struct GenerationRequest {
  at::Tensor mel;         // (B, frames + 2*context, n_mels), or undefined (unconditional)
  at::Tensor labels;      // (B) int64, or undefined
  int64_t samples = 0;    // steps to run; at most frames * hop for mel-conditioned models
  int64_t batch = 1;      // used when mel is undefined
  double temperature = 1.0;
  // Teacher forcing: (B, P) true audio fed back instead of the model's own samples for the
  // first P <= samples steps; the steps after it are sampled (P < samples primes a continuation).
  at::Tensor teacher;
  // Rows of different lengths in one batch (fast generators). mel_frames[b]: the frames of row
  // b's mel (context included) that are its own; the rest is padding it never sees. seeds[b]:
  // row b's sampling seed. Row b then gets bit for bit the audio that a batch of one with seed
  // seeds[b] gets, over its own length.
  std::vector<int64_t> mel_frames;
  std::vector<uint64_t> seeds;
  // Called after each step with the number of steps done (progress bars). Must not throw:
  // fast generators call it from inside their thread team.
  std::function<void(int64_t)> on_step;
};

// Wall time of a generation's phases, for `wavenet bench` (what each phase is depends on the
// family: WaveNet's conditioning / residual layers / output; SampleRNN's frame tiers / MLP).
struct GenerationTimings {
  double conditioning_seconds = 0;
  double layers_seconds = 0;
  double output_seconds = 0;
  double sampling_seconds = 0;  // drawing samples from the output (fast generators; else in output_seconds)
};

// Facts a bench reports next to a generator's speed.
struct GeneratorFacts {
  std::string kernels = "libtorch";  // scalar | avx2 | avx512 | libtorch
  std::string precision = "fp32";
  int threads = 1;
  double flops_per_sample = 0;       // the model's useful work per generated sample
  int64_t weight_bytes_per_step = 0; // weights read per step (fast generators)
  int64_t receptive_field_samples = 0;  // past samples a step can see (0: unbounded or unknown)
};

// One utterance's mel rows in as they arrive, its samples out as soon as they are final
// (generators that can stream; the WaveNet engine's is nets/wavenet/engine/streaming_synthesis.h).
class GeneratorStream {
 public:
  virtual ~GeneratorStream() = default;
  // Rows of the mel a whole-utterance request would hold (context rows included), in order.
  virtual std::vector<float> push(const float* rows, int64_t count) = 0;
  // The utterance ends: every remaining sample.
  virtual std::vector<float> finish() = 0;
  // Samples that the received rows cover but that are not final yet (the look-ahead).
  virtual int64_t lookahead_samples() const = 0;
};

class Generator {
 public:
  virtual ~Generator() = default;
  // Audio (B, samples) on the CPU. `seed` seeds every row unless request.seeds gives one per row.
  // With `outputs`, every step's network output (B, out_channels, samples) as well: step t's
  // output is the distribution of sample t.
  virtual at::Tensor generate(const GenerationRequest& request, uint64_t seed, at::Tensor* outputs = nullptr,
                              GenerationTimings* timings = nullptr) = 0;
  virtual GeneratorFacts facts() const = 0;
  // A stream for one utterance (label -1: none), bit for bit the audio generate() gives it in a
  // batch of one with this seed; null when this generator cannot stream. One run at a time: a
  // stream and generate() calls share the generator's threads.
  virtual std::unique_ptr<GeneratorStream> stream(uint64_t seed, int64_t label, double temperature) {
    (void)seed, (void)label, (void)temperature;
    return nullptr;
  }
};

}  // namespace wn
