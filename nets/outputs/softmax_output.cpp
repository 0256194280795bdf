#include "nets/quantize_tensor.h"
#include "nets/device_generator.h"
#include "nets/outputs/output_distribution.h"

namespace wn {
namespace {

class SoftmaxOutput final : public OutputDistribution {
 public:
  SoftmaxOutput(int classes, Quantization quantization) : classes_(classes), quantization_(quantization) {}
  int channels() const override { return classes_; }

  torch::Tensor sample_nll(const torch::Tensor& out, const torch::Tensor& target) const override {
    return torch::nn::functional::cross_entropy(out, quantize_tensor(target, classes_, quantization_),
                                                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  }

  torch::Tensor sample(const torch::Tensor& out, double temperature,
                       torch::Generator& generator) const override {
    check_generator_device(generator, out, "softmax output");
    const torch::Tensor probs = torch::softmax(out / temperature, /*dim=*/1);
    const torch::Tensor classes = torch::multinomial(probs, 1, /*replacement=*/true, generator).squeeze(1);
    return dequantize_tensor(classes, classes_, quantization_);
  }

 private:
  int classes_;
  Quantization quantization_;
};

}  // namespace

std::unique_ptr<OutputDistribution> make_softmax_output(const ModelConfig& model) {
  return std::make_unique<SoftmaxOutput>(model.quantize_channels, quantization_named(model.quantization));
}

std::unique_ptr<OutputDistribution> make_output_distribution(const ModelConfig& model) {
  if (model.output == "mol") return make_mol_output(model);
  if (model.output == "gaussian") return make_gaussian_output(model);
  return make_softmax_output(model);
}

}  // namespace wn
