#include "nets/rating/rating_family.h"

#include <torch/torch.h>

#include <sstream>

#include "core/errors.h"
#include "dataio/loader.h"
#include "nets/rating/correlation.h"
#include "nets/rating/rating_net.h"

namespace wn {
namespace {

class RatingModel final : public Model, public MelCritic {
 public:
  RatingModel(const Config& config, RatingNet net) : config_(config), net_(std::move(net)) {}

  torch::nn::Module& module() override { return *net_; }

  std::unique_ptr<Model> clone() const override {
    return std::make_unique<RatingModel>(config_, RatingNet(std::dynamic_pointer_cast<RatingNetImpl>(net_->clone())));
  }

  std::string describe() const override {
    int64_t parameters = 0;
    for (const auto& p : net_->parameters()) parameters += p.numel();
    std::ostringstream out;
    out << "rating: " << parameters << " parameters, " << rating_config_summary(config_);
    return out.str();
  }

  DataNeeds data_needs() const override {
    DataNeeds needs;
    needs.targets = regression();
    return needs;
  }

  at::Tensor loss(const Batch& batch, const c10::Device& device) override {
    const torch::Tensor outputs = net_->forward(batch.mel.to(device, /*non_blocking=*/true));
    if (regression()) {
      return torch::mse_loss(outputs.squeeze(1), batch.utterance_target.to(device, /*non_blocking=*/true));
    }
    return torch::nn::functional::cross_entropy(outputs, class_targets(batch).to(device, /*non_blocking=*/true));
  }

  // Regression: mean squared error (standardised units), Pearson's and Spearman's correlation of
  // the scores with the targets. Classes: accuracy.
  NamedFigures validation_figures(const std::vector<Batch>& batches, const c10::Device& device) override {
    torch::NoGradGuard no_grad;
    std::vector<double> scores, targets;
    int64_t correct = 0, total = 0;
    for (const Batch& b : batches) {
      const torch::Tensor outputs = net_->forward(b.mel.to(device)).to(torch::kCPU);
      if (regression()) {
        for (int64_t i = 0; i < outputs.size(0); ++i) {
          scores.push_back(outputs[i][0].item<double>());
          targets.push_back(b.utterance_target[i].item<double>());
        }
      } else {
        correct += outputs.argmax(1).eq(class_targets(b)).sum().item<int64_t>();
        total += outputs.size(0);
      }
    }
    if (!regression()) return {{"accuracy", total > 0 ? static_cast<double>(correct) / static_cast<double>(total) : 0.0}};
    double squared = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) squared += (scores[i] - targets[i]) * (scores[i] - targets[i]);
    return {{"mse", scores.empty() ? 0.0 : squared / static_cast<double>(scores.size())},
            {"pearson", pearson_correlation(scores, targets)},
            {"spearman", spearman_correlation(scores, targets)}};
  }

  MelCritic* critic() override { return this; }

  at::Tensor score(const at::Tensor& mel, int64_t label) override {
    if (regression()) return net_->forward(mel).squeeze(1);
    const torch::Tensor log_probabilities = class_log_probabilities(mel);
    if (label < 0) return std::get<0>(log_probabilities.max(1));
    if (label >= log_probabilities.size(1)) {
      throw UserError("label id " + std::to_string(label) + " is not one of the critic's " +
                      std::to_string(log_probabilities.size(1)) + " classes");
    }
    return log_probabilities.select(1, label);
  }

  at::Tensor class_log_probabilities(const at::Tensor& mel) override {
    if (regression()) throw UserError("a regression critic has no classes");
    return torch::log_softmax(net_->forward(mel), 1);
  }

  bool regression() const override { return config_.model.objective == "regression"; }

  std::unique_ptr<Generator> fast_generator(const FastGeneratorOptions&) override { return nullptr; }
  std::unique_ptr<Generator> reference_generator() override { return nullptr; }
  std::vector<BaselineGenerator> bench_baselines() override { return {}; }

 private:
  static torch::Tensor class_targets(const Batch& batch) {
    if (batch.label.lt(0).any().item<bool>()) {
      throw UserError("model.objective=classes needs every utterance labelled: preprocess with data.label_source=folder "
                      "or data.label_source=column");
    }
    return batch.label;
  }

  Config config_;
  RatingNet net_;
};

}  // namespace

std::unique_ptr<Model> build_rating_model(const Config& config, int n_labels) {
  const ModelConfig& m = config.model;
  const int labels = m.n_labels > 0 ? m.n_labels : n_labels;
  if (m.objective == "classes" && labels < 2) {
    throw ConfigError("model.objective=classes needs at least 2 labels in the data (or model.n_labels), got " +
                      std::to_string(labels));
  }
  RatingNetOptions options(config.audio.n_mels, m.objective == "classes" ? labels : 1);
  options.conv_width(m.conv_width).conv_channels(m.conv_channels).dense_channels(m.dense_channels);
  return std::make_unique<RatingModel>(config, RatingNet(options));
}

std::string rating_config_summary(const Config& config) {
  const ModelConfig& m = config.model;
  std::ostringstream out;
  out << (m.objective == "classes" ? "classifies" : "scores") << " a clip's log-mel: a " << m.conv_width
      << "-frame convolution (" << 1000.0 * m.conv_width * config.audio.hop_length / config.audio.sample_rate
      << " ms) to " << m.conv_channels << " channels, dense layers [";
  for (std::size_t i = 0; i < m.dense_channels.size(); ++i) out << (i ? ", " : "") << m.dense_channels[i];
  out << "], averaged over the frames";
  return out.str();
}

}  // namespace wn
