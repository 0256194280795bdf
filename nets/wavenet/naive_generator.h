#pragma once
// The slowest honest way to generate with a WaveNet: for every sample, one full forward pass
// over the last receptive-field samples, keeping the last output. A bench baseline only.

#include "nets/generator.h"
#include "nets/outputs/output_distribution.h"
#include "nets/wavenet/linear_prediction.h"
#include "nets/wavenet/wavenet.h"

namespace wn {

class NaiveGenerator final : public Generator {
 public:
  // `prediction` is required by models with model.linear_prediction > 0.
  NaiveGenerator(WaveNet net, const ModelConfig& model, LinearPrediction prediction = {});
  torch::Tensor generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs = nullptr,
                         GenerationTimings* timings = nullptr) override;
  GeneratorFacts facts() const override;

 private:
  WaveNet net_;
  std::unique_ptr<OutputDistribution> distribution_;
  LinearPrediction prediction_;
  double flops_per_sample_;
};

}  // namespace wn
