#include "nets/wavenet/wavenet_family.h"

#include <torch/torch.h>

#include <sstream>

#include "core/kernels/kernels.h"
#include "dataio/loader.h"
#include "nets/outputs/output_distribution.h"
#include "nets/wavenet/engine/cached_engine.h"
#include "nets/wavenet/incremental_generator.h"
#include "nets/wavenet/naive_generator.h"
#include "nets/wavenet/receptive_field.h"
#include "nets/wavenet/wavenet.h"

namespace wn {
namespace {

class WaveNetModel final : public Model {
 public:
  WaveNetModel(const Config& config, WaveNet net)
      : config_(config), net_(std::move(net)), distribution_(make_output_distribution(config.model)) {}

  torch::nn::Module& module() override { return *net_; }

  std::unique_ptr<Model> clone() const override {
    return std::make_unique<WaveNetModel>(config_, WaveNet(std::dynamic_pointer_cast<WaveNetImpl>(net_->clone())));
  }

  std::string describe() const override {
    int64_t parameters = 0;
    for (const auto& p : net_->parameters()) parameters += p.numel();
    std::ostringstream out;
    out << "wavenet: " << config_.model.layers << " layers, " << parameters << " parameters, "
        << wavenet_config_summary(config_) << ", output " << config_.model.output;
    return out.str();
  }

  DataNeeds data_needs() const override {
    DataNeeds needs;
    needs.context_frames = net_->context_frames();
    return needs;
  }

  // Inputs are the audio shifted right by one sample: output t sees samples < t and predicts t.
  at::Tensor loss(const Batch& batch, const c10::Device& device) override {
    const torch::Tensor audio = batch.audio.to(device, /*non_blocking=*/true);
    const torch::Tensor previous =
        torch::cat({torch::zeros_like(audio.narrow(1, 0, 1)), audio.narrow(1, 0, audio.size(1) - 1)}, 1);
    const ModelConfig& m = config_.model;
    const torch::Tensor mel = m.local_conditioning ? batch.mel.to(device, /*non_blocking=*/true) : torch::Tensor();
    const torch::Tensor labels = m.global_conditioning ? batch.label.to(device, /*non_blocking=*/true).clamp_min(0) : torch::Tensor();
    return distribution_->loss(net_->forward(net_->encode_input(previous), mel, labels).to(torch::kFloat), audio);
  }

  std::unique_ptr<Generator> fast_generator(const FastGeneratorOptions& options) override {
    EngineOptions engine;
    engine.threads = options.threads;
    engine.precision = options.precision;
    if (!options.kernels.empty()) engine.kernels = &kernels::kernels_named(options.kernels);
    return std::make_unique<CachedEngine>(net_, engine);
  }

  std::unique_ptr<Generator> reference_generator() override {
    return std::make_unique<IncrementalGenerator>(net_, *distribution_);
  }

  std::vector<BaselineGenerator> bench_baselines() override {
    std::vector<BaselineGenerator> baselines;
    baselines.push_back({"libtorch_incremental", reference_generator(), 512});
    baselines.push_back({"naive_recompute", std::make_unique<NaiveGenerator>(net_, config_.model), 24});
    return baselines;
  }

 private:
  Config config_;
  WaveNet net_;
  std::unique_ptr<OutputDistribution> distribution_;
};

}  // namespace

std::unique_ptr<Model> build_wavenet_model(const Config& config, int n_labels) {
  return std::make_unique<WaveNetModel>(config, WaveNet(config.model, config.audio.n_mels, n_labels));
}

std::string wavenet_config_summary(const Config& config) {
  const int64_t field = receptive_field_samples(config.model);
  std::ostringstream out;
  out << "receptive field " << field << " samples (" << 1000.0 * field / config.audio.sample_rate << " ms)";
  return out.str();
}

}  // namespace wn
