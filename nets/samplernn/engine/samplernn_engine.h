#pragma once
// SampleRNN's fast CPU generator, with the WaveNet engine's habits: plain weight arrays built
// once (samplernn_weights.h), no LibTorch call and no allocation in the per-sample loop, every
// product on core/kernels (AVX-512 / AVX2 / scalar), B rows in lockstep (each weight read once
// per step for the batch), T threads that split every product's columns and meet at a spin
// barrier. The tiers step at their own rates: tier k once every frame_sizes[k] samples, the
// mel conditioning once per hop, the sample-level MLP every sample. Sampling is per row with
// its own seeded generator, so the audio depends on the seed only, not on the batch or the
// thread count's split of rows.

#include "core/kernels/kernels.h"
#include "nets/generator.h"
#include "nets/samplernn/engine/samplernn_weights.h"

namespace wn {

struct SampleRnnEngineOptions {
  int threads = 1;
  const kernels::KernelTable* kernels = nullptr;  // null: the best this CPU runs
};

class SampleRnnEngine final : public Generator {
 public:
  SampleRnnEngine(SampleRnnWeights weights, const SampleRnnEngineOptions& options);

  // Request as for every generator: mel (B, frames + 2*context, n_mels) for mel-conditioned
  // models, labels, samples, temperature, teacher (prime), per-row seeds and mel lengths,
  // on_step. With `outputs`, every step's logits (B, classes, samples).
  at::Tensor generate(const GenerationRequest& request, uint64_t seed, at::Tensor* outputs = nullptr,
                      GenerationTimings* timings = nullptr) override;
  GeneratorFacts facts() const override;

  const SampleRnnWeights& weights() const { return weights_; }

 private:
  SampleRnnWeights weights_;
  SampleRnnEngineOptions options_;
  const kernels::KernelTable* kernels_;
};

}  // namespace wn
