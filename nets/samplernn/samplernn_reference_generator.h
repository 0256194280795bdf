#pragma once
// SampleRNN generated step by step with LibTorch ops on the module itself, on whatever device
// it lives: the GPU path, training's evaluation audio, and the baseline the fast engine is
// measured against. The tiers step at their own rates, as in the engine.

#include <torch/torch.h>

#include "nets/generator.h"
#include "nets/samplernn/samplernn.h"

namespace wn {

class SampleRnnReferenceGenerator final : public Generator {
 public:
  explicit SampleRnnReferenceGenerator(SampleRnn net);
  // Rows of their own seeds or lengths are a fast-generator feature.
  torch::Tensor generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs = nullptr,
                         GenerationTimings* timings = nullptr) override;
  GeneratorFacts facts() const override;

 private:
  SampleRnn net_;
};

}  // namespace wn
