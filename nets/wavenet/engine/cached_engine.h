#pragma once
// The cached-activation engine: generates a trained WaveNet's output sample by sample on the
// CPU with no LibTorch call and no allocation in the per-sample loop.
//  - each layer keeps a ring buffer of its last (kernel_size-1)*dilation inputs (fast WaveNet);
//  - the mel is upsampled once per call up to the upsampler's last stage (plain fixed-order
//    loops, so a clip's conditioning never depends on its batch); every `chunk` steps, each
//    layer's conditioning projection is computed on that stage's rows (one matrix product per
//    layer, `scale` times fewer rows than samples) and the last stage applied to the projections
//    (it is linear and the same for every channel, so the two commute), + bias + label term;
//  - the per-step products run through core/kernels (AVX-512 / AVX2 / scalar);
//  - B utterances advance in lockstep, so each step reads the weights once for the batch;
//  - T threads split every product's output columns and meet at a spin barrier; the same
//    thread team serves every call (the stages of a step: engine_run.h).
// Sampling is sequential per utterance with its own seeded generator, so the audio depends on
// the seed only, not on the thread count.

#include <torch/torch.h>

#include <memory>
#include <string>

#include "core/kernels/kernels.h"
#include "nets/generator.h"
#include "nets/wavenet/engine/engine_run.h"
#include "nets/wavenet/engine/engine_upsampler.h"
#include "nets/wavenet/engine/engine_weights.h"

namespace wn {

class ThreadTeam;

struct EngineOptions {
  int threads = 1;
  std::string precision = "fp32";  // or "bf16": per-step weights stored as bfloat16
  int chunk = 128;                 // steps of conditioning precomputed at a time
  const kernels::KernelTable* kernels = nullptr;  // null: the best this CPU runs
  LinearPrediction prediction;  // required by models with model.linear_prediction > 0
};

class CachedEngine final : public Generator {
 public:
  // From the plain weight view alone; the engine keeps no LibTorch module.
  CachedEngine(EngineWeights weights, EngineUpsampler upsampler, const EngineOptions& options);
  // Packs `net` (in options.precision) and builds the engine from that.
  CachedEngine(WaveNet& net, const EngineOptions& options);
  ~CachedEngine() override;

  // Same request as IncrementalGenerator (mel, labels, samples, batch, temperature, teacher,
  // on_step), plus rows of their own lengths and seeds. Returns audio (B, samples); with
  // `outputs`, every step's network output (B, out_channels, samples).
  torch::Tensor generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs = nullptr,
                         GenerationTimings* timings = nullptr) override;
  GeneratorFacts facts() const override;
  // A StreamingSynthesis on this engine (mel-conditioned models).
  std::unique_ptr<GeneratorStream> stream(uint64_t seed, int64_t label, double temperature) override;

  const EngineWeights& weights() const { return plan_.weights; }
  const EngineUpsampler& upsampler() const { return upsampler_; }
  const kernels::KernelTable& kernel_table() const { return *plan_.kernels; }
  int threads() const { return plan_.threads; }

  // For callers that drive an EngineRun themselves (streaming): the plan and the team.
  const EnginePlan& plan() const { return plan_; }
  ThreadTeam& team() { return *team_; }
  // Each layer's label term, (L, B, gate), for labels (B) int64; empty without labels.
  std::vector<float> label_terms(const at::Tensor& labels) const;
  // How the model predicts samples from the mel (inactive for models without prediction).
  const LinearPrediction& prediction() const { return prediction_; }

 private:
  EngineUpsampler upsampler_;
  LinearPrediction prediction_;
  EnginePlan plan_;
  std::unique_ptr<ThreadTeam> team_;
};

// Useful FLOPs per generated sample: the per-step products plus the conditioning projections.
double model_flops_per_sample(const EngineWeights& weights);

}  // namespace wn
