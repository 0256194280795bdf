#pragma once
// The seam between the shared plumbing and a model family. The trainer, checkpoints, synth,
// bench, eval and demo see a family only through this interface; a family implements it in its
// own folder (nets/<family>/) and adds one entry to nets/model_registry.cpp.
//
// A family need not be autoregressive: a model trained by regression (a mel critic) implements
// loss() over the batches its data_needs() ask for and returns no generators.

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nets/generator.h"

namespace torch::nn {
class Module;
}

namespace wn {

struct Batch;

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// What the training loader must deliver.
struct DataNeeds {
  int context_frames = 0;    // extra mel frames on each side of a crop (the conditioning convs)
  int history_samples = 0;   // samples before each crop that the model reads (Batch::audio starts with them)
  // false: independent random crops. true: truncated backpropagation through time: each batch
  // row reads consecutive crops of one utterance after another, with Batch::reset marking the
  // rows whose crop starts an utterance.
  bool sequential = false;
  bool quantized_targets = false;  // Batch::target as classes (else float samples)
  bool f0 = false;                 // Batch::f0 and f0_phase, the audio's pitch track (pitch-conditioned models)
  bool targets = false;            // Batch::utterance_target, the corpus's standardised scalar target
};

using NamedFigures = std::vector<std::pair<std::string, double>>;

// A family that scores mel spectrograms (a critic) rather than generating audio.
class MelCritic {
 public:
  virtual ~MelCritic() = default;
  // mel (B, frames, n_mels) as the training loader delivers it (normalised when the model was
  // trained with data.normalize_mel) -> (B) scores, differentiable with respect to the mel:
  // the standardised target for a regression critic, the log-probability of `label` for a
  // classifier (label -1: the most probable class's).
  virtual at::Tensor score(const at::Tensor& mel, int64_t label = -1) = 0;
  // Classifiers: (B, classes) log-probabilities of every class, in one pass.
  virtual at::Tensor class_log_probabilities(const at::Tensor& mel) = 0;
  virtual bool regression() const = 0;
};

struct FastGeneratorOptions {
  int threads = 1;
  std::string precision = "fp32";  // fp32 | bf16 weight storage
  std::string kernels;             // "" = the best this CPU runs; scalar | avx2 | avx512
};

// A bench baseline: a slower generator and how many steps of it to time.
struct BaselineGenerator {
  std::string method;  // e.g. libtorch_incremental, naive_recompute
  std::unique_ptr<Generator> generator;
  int64_t steps = 512;
};

class Model {
 public:
  virtual ~Model() = default;

  // The LibTorch module: its named parameters and buffers are what checkpoints, EMA and the
  // gradient all-reduce handle.
  virtual torch::nn::Module& module() = 0;
  // A deep copy (evaluation with EMA weights must not touch the trained model).
  virtual std::unique_ptr<Model> clone() const = 0;
  // One line for the log: size, receptive field or frame rates, output.
  virtual std::string describe() const = 0;

  virtual DataNeeds data_needs() const = 0;
  // Mean training loss of `batch` on `device`, with the autograd graph. A sequential family
  // carries its state from one call to the next (reset where Batch::reset says so).
  virtual at::Tensor loss(const Batch& batch, const c10::Device& device) = 0;

  // Teacher-forced negative log-likelihood of each sample of batch.audio (B, T), in nats, each
  // sample predicted from the samples before it (silence before the first) and the batch's
  // conditioning, from a fresh state: (B, T), its mean over a crop equal to loss() in eval mode.
  // Undefined for families that do not model audio (critics).
  virtual at::Tensor sample_nll(const Batch& /*batch*/, const c10::Device& /*device*/) { return {}; }

  // State carried between training steps (TBPTT hidden states), by name; empty when stateless.
  // Each tensor's first dimension is the batch row.
  virtual NamedTensors carried_state() const { return {}; }
  virtual void set_carried_state(const NamedTensors& /*state*/) {}

  // Figures beyond the loss that evaluation reports on the validation crops (e.g. a critic's
  // correlation with its targets), by name; none by default.
  virtual NamedFigures validation_figures(const std::vector<Batch>& /*batches*/, const c10::Device& /*device*/) {
    return {};
  }
  // The critic's scoring, for families that are critics (`wavenet rate`, `wavenet dream`); null otherwise.
  virtual MelCritic* critic() { return nullptr; }

  // The fast CPU generator: plain weight arrays built once from the module, no LibTorch call
  // per sample. Null for families that do not generate audio.
  virtual std::unique_ptr<Generator> fast_generator(const FastGeneratorOptions& options) = 0;
  // LibTorch ops on the module's device: the GPU path, training's evaluation audio, and the
  // baseline the fast generator is measured against. Null for families that do not generate.
  virtual std::unique_ptr<Generator> reference_generator() = 0;
  // Baselines for `wavenet bench` (the reference generator first).
  virtual std::vector<BaselineGenerator> bench_baselines() = 0;
};

}  // namespace wn
