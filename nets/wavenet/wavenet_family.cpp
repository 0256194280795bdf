#include "nets/wavenet/wavenet_family.h"

#include <torch/torch.h>

#include <sstream>

#include "core/kernels/kernels.h"
#include "dataio/loader.h"
#include "nets/outputs/output_distribution.h"
#include "nets/wavenet/engine/cached_engine.h"
#include "nets/wavenet/incremental_generator.h"
#include "nets/wavenet/linear_prediction.h"
#include "nets/wavenet/naive_generator.h"
#include "nets/wavenet/receptive_field.h"
#include "nets/wavenet/wavenet.h"

namespace wn {
namespace {

class WaveNetModel final : public Model {
 public:
  WaveNetModel(const Config& config, WaveNet net)
      : config_(config), net_(std::move(net)), distribution_(make_output_distribution(config.model)) {
    if (config.model.linear_prediction > 0) {
      prediction_.lpc = std::make_shared<MelToLpc>(config.audio, config.model.linear_prediction);
      prediction_.hop = config.audio.hop_length;
      prediction_.context_frames = net_->context_frames();
      prediction_.pitch_gain = static_cast<float>(config.model.long_term_prediction);
      prediction_.pitch.sample_rate = config.audio.sample_rate;
    }
  }

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
    if (prediction_.active()) out << " of the excitation after a linear predictor of order " << prediction_.order();
    if (config_.model.pitch_harmonics > 0) {
      out << ", conditioned on a " << config_.model.pitch_harmonics << "-harmonic sine source at the F0 its pitch head reads from the mel";
    }
    return out.str();
  }

  DataNeeds data_needs() const override {
    DataNeeds needs;
    needs.context_frames = net_->context_frames();
    needs.f0 = config_.model.pitch_harmonics > 0;
    return needs;
  }

  // Inputs are the audio shifted right by one sample: output t sees samples < t and predicts t
  // (with linear prediction: t's excitation, what the predictor of t's frame leaves of it).
  at::Tensor loss(const Batch& batch, const c10::Device& device) override {
    const torch::Tensor nll = sample_nll(batch, device).mean();
    // Pitch conditioning: in training the pitch head learns the audio's F0 from the mel;
    // validation's loss is the waveform's alone, comparable with any other model's.
    if (config_.model.pitch_harmonics == 0 || !net_->is_training()) return nll;
    const ModelConfig& m = config_.model;
    const torch::Tensor mel = m.local_conditioning ? batch.mel.to(device, /*non_blocking=*/true) : torch::Tensor();
    return nll + pitch_head_loss(net_->pitch_outputs(mel).to(torch::kFloat), loader_f0(batch).to(device));
  }

  at::Tensor sample_nll(const Batch& batch, const c10::Device& device) override {
    const torch::Tensor audio = batch.audio.to(device, /*non_blocking=*/true);
    const torch::Tensor previous =
        torch::cat({torch::zeros_like(audio.narrow(1, 0, 1)), audio.narrow(1, 0, audio.size(1) - 1)}, 1);
    const ModelConfig& m = config_.model;
    const torch::Tensor mel = m.local_conditioning ? batch.mel.to(device, /*non_blocking=*/true) : torch::Tensor();
    const torch::Tensor labels = m.global_conditioning ? batch.label.to(device, /*non_blocking=*/true).clamp_min(0) : torch::Tensor();
    const torch::Tensor target = prediction_.active() ? excitation(batch).to(device, /*non_blocking=*/true) : audio;
    if (m.pitch_harmonics == 0) {
      return distribution_->sample_nll(net_->forward(net_->encode_input(previous), mel, labels).to(torch::kFloat), target);
    }
    // The source follows the audio's own F0 and fundamental phase (teacher forcing, like the samples).
    const int context = net_->context_frames();
    const torch::Tensor f0 = loader_f0(batch).to(device);
    const torch::Tensor phase = batch.f0_phase.narrow(1, context, f0.size(1)).to(device);
    return distribution_->sample_nll(net_->forward(net_->encode_input(previous), mel, labels, f0, phase).to(torch::kFloat), target);
  }

  // The loader's F0 track at the crop's own frames (its context rows dropped).
  torch::Tensor loader_f0(const Batch& batch) const {
    TORCH_CHECK(batch.f0.defined() && batch.f0_phase.defined(), "a pitch-conditioned WaveNet needs the loader's F0 track");
    const int context = net_->context_frames();
    return batch.f0.narrow(1, context, batch.f0.size(1) - 2 * context);
  }

  // x - p on the CPU (the loader's tensors are there), in the generators' arithmetic; the
  // long-term predictor's lags from the audio's own F0 track (teacher forcing).
  torch::Tensor excitation(const Batch& batch) const {
    const torch::Tensor audio = batch.audio.to(torch::kCPU, torch::kFloat).contiguous();
    const torch::Tensor mel = batch.mel.to(torch::kCPU, torch::kFloat).contiguous();
    torch::Tensor f0;
    if (prediction_.long_term()) {
      TORCH_CHECK(batch.f0.defined(), "a WaveNet with long-term prediction needs the loader's F0 track");
      const int context = net_->context_frames();
      f0 = batch.f0.narrow(1, context, batch.f0.size(1) - 2 * context).to(torch::kCPU, torch::kFloat).contiguous();
    }
    std::vector<float> p = teacher_forced_predictions(prediction_, audio.data_ptr<float>(), static_cast<int>(audio.size(0)),
                                                      audio.size(1), mel.data_ptr<float>(), mel.size(1),
                                                      f0.defined() ? f0.data_ptr<float>() : nullptr);
    const torch::Tensor predicted = torch::from_blob(p.data(), audio.sizes(), torch::kFloat);
    return (audio - predicted).clamp(-1.0, 1.0);
  }

  std::unique_ptr<Generator> fast_generator(const FastGeneratorOptions& options) override {
    EngineOptions engine;
    engine.threads = options.threads;
    engine.precision = options.precision;
    if (!options.kernels.empty()) engine.kernels = &kernels::kernels_named(options.kernels);
    engine.prediction = generator_prediction();
    return std::make_unique<CachedEngine>(net_, engine);
  }

  std::unique_ptr<Generator> reference_generator() override {
    return std::make_unique<IncrementalGenerator>(net_, *distribution_, generator_prediction());
  }

  std::vector<BaselineGenerator> bench_baselines() override {
    std::vector<BaselineGenerator> baselines;
    baselines.push_back({"libtorch_incremental", reference_generator(), 512});
    baselines.push_back({"naive_recompute", std::make_unique<NaiveGenerator>(net_, config_.model, generator_prediction()), 24});
    return baselines;
  }

 private:
  // The prediction generators make: with long-term prediction, the lags from the pitch head as
  // its weights are now.
  LinearPrediction generator_prediction() const {
    LinearPrediction p = prediction_;
    if (p.long_term()) p.pitch = net_->pitch_conditioning();
    return p;
  }

  Config config_;
  WaveNet net_;
  std::unique_ptr<OutputDistribution> distribution_;
  LinearPrediction prediction_;  // inactive unless model.linear_prediction > 0
};

}  // namespace

std::unique_ptr<Model> build_wavenet_model(const Config& config, int n_labels) {
  return std::make_unique<WaveNetModel>(config, WaveNet(config.model, config.audio.n_mels, n_labels, config.audio.sample_rate));
}

std::string wavenet_config_summary(const Config& config) {
  const int64_t field = receptive_field_samples(config.model);
  std::ostringstream out;
  out << "receptive field " << field << " samples (" << 1000.0 * field / config.audio.sample_rate << " ms)";
  return out.str();
}

}  // namespace wn
