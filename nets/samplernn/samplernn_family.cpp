#include "nets/samplernn/samplernn_family.h"

#include <torch/torch.h>

#include <sstream>

#include "core/kernels/kernels.h"
#include "dataio/loader.h"
#include "nets/quantize_tensor.h"
#include "nets/samplernn/engine/samplernn_engine.h"
#include "nets/samplernn/samplernn.h"
#include "nets/samplernn/samplernn_reference_generator.h"

namespace wn {
namespace {

class SampleRnnModel final : public Model {
 public:
  SampleRnnModel(const Config& config, SampleRnn net) : config_(config), net_(std::move(net)) {}

  torch::nn::Module& module() override { return *net_; }

  std::unique_ptr<Model> clone() const override {
    return std::make_unique<SampleRnnModel>(config_, SampleRnn(std::dynamic_pointer_cast<SampleRnnImpl>(net_->clone())));
  }

  std::string describe() const override {
    int64_t parameters = 0;
    for (const auto& p : net_->parameters()) parameters += p.numel();
    std::ostringstream out;
    out << "samplernn: " << config_.model.frame_sizes.size() << " frame tiers (" << config_.model.rnn_type << " "
        << config_.model.rnn_dim << "), " << parameters << " parameters, " << samplernn_config_summary(config_);
    return out.str();
  }

  DataNeeds data_needs() const override {
    DataNeeds needs;
    needs.context_frames = net_->context_frames();
    needs.history_samples = net_->history();
    needs.sequential = true;
    needs.quantized_targets = true;
    return needs;
  }

  at::Tensor loss(const Batch& batch, const c10::Device& device) override {
    const ModelConfig& m = config_.model;
    const Quantization q = quantization_named(m.quantization);
    const torch::Tensor classes = batch.target.defined() && batch.target.scalar_type() == torch::kLong
                                      ? batch.target.to(device, /*non_blocking=*/true)
                                      : quantize_tensor(batch.audio.to(device, /*non_blocking=*/true), m.quantize_channels, q);
    const torch::Tensor values = dequantize_tensor(classes, m.quantize_channels, q);
    const torch::Tensor mel = m.local_conditioning ? batch.mel.to(device, /*non_blocking=*/true) : torch::Tensor();
    const torch::Tensor labels = m.global_conditioning ? batch.label.to(device, /*non_blocking=*/true).clamp_min(0) : torch::Tensor();
    const torch::Tensor reset = batch.reset.defined() ? batch.reset.to(device, /*non_blocking=*/true)
                                                      : torch::ones({classes.size(0)}, classes.options().dtype(torch::kBool));
    const torch::Tensor logits = net_->forward(classes, values, mel, labels, reset, state_);
    // Truncated backpropagation: the state flows on, its gradient does not.
    for (auto& h : state_.hidden) h = h.detach();
    for (auto& c : state_.cell) c = c.detach();
    const int64_t H = net_->history();
    const torch::Tensor targets = classes.narrow(1, H, classes.size(1) - H);
    return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}).to(torch::kFloat), targets.reshape({-1}));
  }

  // From a fresh state with `history()` samples of silence before the first: every sample of
  // batch.audio is predicted (T a multiple of the top frame size). The training state is untouched.
  at::Tensor sample_nll(const Batch& batch, const c10::Device& device) override {
    const ModelConfig& m = config_.model;
    const Quantization q = quantization_named(m.quantization);
    const torch::Tensor audio = batch.audio.to(device, /*non_blocking=*/true);
    const int64_t rows = audio.size(0), samples = audio.size(1);
    const torch::Tensor silence = torch::zeros({rows, net_->history()}, audio.options());
    const torch::Tensor classes = quantize_tensor(torch::cat({silence, audio}, 1), m.quantize_channels, q);
    const torch::Tensor values = dequantize_tensor(classes, m.quantize_channels, q);
    const torch::Tensor mel = m.local_conditioning ? batch.mel.to(device, /*non_blocking=*/true) : torch::Tensor();
    const torch::Tensor labels = m.global_conditioning ? batch.label.to(device, /*non_blocking=*/true).clamp_min(0) : torch::Tensor();
    SampleRnnState fresh;
    const torch::Tensor reset = torch::ones({rows}, classes.options().dtype(torch::kBool));
    const torch::Tensor logits = net_->forward(classes, values, mel, labels, reset, fresh);
    const torch::Tensor targets = classes.narrow(1, net_->history(), samples);
    return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}).to(torch::kFloat), targets.reshape({-1}),
                                                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
        .reshape({rows, samples});
  }

  // Exported batch row first: (B, layers, dim) per tier.
  NamedTensors carried_state() const override {
    NamedTensors out;
    for (std::size_t k = 0; k < state_.hidden.size(); ++k) {
      out.emplace_back("hidden_" + std::to_string(k), state_.hidden[k].transpose(0, 1).contiguous());
      if (!state_.cell.empty()) out.emplace_back("cell_" + std::to_string(k), state_.cell[k].transpose(0, 1).contiguous());
    }
    return out;
  }

  void set_carried_state(const NamedTensors& state) override {
    SampleRnnState s;
    for (const auto& [name, tensor] : state) {
      if (name.rfind("hidden_", 0) == 0) s.hidden.push_back(tensor.transpose(0, 1).contiguous());
      if (name.rfind("cell_", 0) == 0) s.cell.push_back(tensor.transpose(0, 1).contiguous());
    }
    if (s.hidden.size() == net_->tiers.size()) state_ = s;
  }

  std::unique_ptr<Generator> fast_generator(const FastGeneratorOptions& options) override {
    SampleRnnEngineOptions engine;
    engine.threads = options.threads;
    if (!options.kernels.empty()) engine.kernels = &kernels::kernels_named(options.kernels);
    return std::make_unique<SampleRnnEngine>(pack_samplernn_weights(net_, options.precision), engine);
  }

  std::unique_ptr<Generator> reference_generator() override { return std::make_unique<SampleRnnReferenceGenerator>(net_); }

  std::vector<BaselineGenerator> bench_baselines() override {
    std::vector<BaselineGenerator> baselines;
    baselines.push_back({"libtorch_step", reference_generator(), 512});
    return baselines;
  }

 private:
  Config config_;
  SampleRnn net_;
  SampleRnnState state_;
};

}  // namespace

std::unique_ptr<Model> build_samplernn_model(const Config& config, int n_labels) {
  return std::make_unique<SampleRnnModel>(
      config, SampleRnn(config.model, config.audio.n_mels, config.audio.hop_length, n_labels));
}

std::string samplernn_config_summary(const Config& config) {
  std::ostringstream out;
  out << "frame tiers of ";
  for (std::size_t k = 0; k < config.model.frame_sizes.size(); ++k) out << (k ? ", " : "") << config.model.frame_sizes[k];
  out << " samples (" << 1000.0 * config.model.frame_sizes.front() / config.audio.sample_rate
      << " ms top frames), sample-level MLP over " << config.model.frame_sizes.back() << " samples";
  return out.str();
}

}  // namespace wn
