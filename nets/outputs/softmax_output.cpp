#include "nets/mulaw_tensor.h"
#include "nets/outputs/output_distribution.h"

namespace wn {
namespace {

class SoftmaxOutput final : public OutputDistribution {
 public:
  explicit SoftmaxOutput(int classes) : classes_(classes) {}
  int channels() const override { return classes_; }

  torch::Tensor loss(const torch::Tensor& out, const torch::Tensor& target) const override {
    return torch::nn::functional::cross_entropy(out, mulaw_encode_tensor(target, classes_));
  }

  torch::Tensor sample(const torch::Tensor& out, double temperature,
                       torch::Generator& generator) const override {
    const torch::Tensor probs = torch::softmax(out / temperature, /*dim=*/1);
    const torch::Tensor classes = torch::multinomial(probs, 1, /*replacement=*/true, generator).squeeze(1);
    return mulaw_decode_tensor(classes, classes_);
  }

 private:
  int classes_;
};

}  // namespace

std::unique_ptr<OutputDistribution> make_softmax_output(const ModelConfig& model) {
  return std::make_unique<SoftmaxOutput>(model.quantize_channels);
}

std::unique_ptr<OutputDistribution> make_output_distribution(const ModelConfig& model) {
  if (model.output == "mol") return make_mol_output(model);
  if (model.output == "gaussian") return make_gaussian_output(model);
  return make_softmax_output(model);
}

}  // namespace wn
