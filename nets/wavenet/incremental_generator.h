#pragma once
// Sample-by-sample generation with LibTorch ops and the fast-WaveNet cache: each residual layer
// keeps a ring buffer of its last (kernel_size-1)*dilation inputs, so a step costs O(layers),
// not O(receptive field). Its per-step matrices are the engine's fp32 weight view
// (engine/engine_weights.h) moved to the model's device; only the conditioning upsampler runs
// the module. Batched and device-agnostic, so it is the GPU path and the baseline the
// hand-written CPU engine is measured against.

#include <torch/torch.h>

#include "nets/generator.h"
#include "nets/outputs/output_distribution.h"
#include "nets/wavenet/engine/engine_weights.h"
#include "nets/wavenet/linear_prediction.h"
#include "nets/wavenet/wavenet.h"

namespace wn {

class IncrementalGenerator final : public Generator {
 public:
  // `prediction` is required by models with model.linear_prediction > 0.
  IncrementalGenerator(WaveNet net, const OutputDistribution& distribution, LinearPrediction prediction = {},
                       int64_t condition_chunk = 1024);

  // Generated audio (B, samples). With `outputs` non-null, also the network output of every
  // step, (B, out_channels, samples): step t's output is the distribution of sample t (of its
  // excitation, with linear prediction).
  torch::Tensor generate(const GenerationRequest& request, torch::Generator& generator,
                         torch::Tensor* outputs = nullptr);
  // The same with a CPU generator seeded with `seed` (rows of their own seeds or lengths are a
  // fast-generator feature).
  torch::Tensor generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs = nullptr,
                         GenerationTimings* timings = nullptr) override;
  GeneratorFacts facts() const override;

 private:
  WaveNet net_;
  const OutputDistribution& distribution_;
  LinearPrediction prediction_;
  int64_t chunk_;
  EngineWeights weights_;  // fp32
};

}  // namespace wn
