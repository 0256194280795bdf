#include <cmath>

#include "nets/device_generator.h"
#include "nets/outputs/output_distribution.h"

namespace wn {
namespace {

class GaussianOutput final : public OutputDistribution {
 public:
  explicit GaussianOutput(double log_scale_min) : log_scale_min_(log_scale_min) {}
  int channels() const override { return 2; }

  torch::Tensor sample_nll(const torch::Tensor& out, const torch::Tensor& target) const override {
    const torch::Tensor mean = out.select(1, 0);
    const torch::Tensor log_std = out.select(1, 1).clamp_min(log_scale_min_);
    const torch::Tensor z = (target - mean) * torch::exp(-log_std);
    return 0.5 * std::log(2.0 * M_PI) + log_std + 0.5 * z * z;
  }

  torch::Tensor sample(const torch::Tensor& out, double temperature,
                       torch::Generator& generator) const override {
    check_generator_device(generator, out, "gaussian output");
    const torch::Tensor mean = out.select(1, 0);
    const torch::Tensor std = torch::exp(out.select(1, 1).clamp_min(log_scale_min_));
    const torch::Tensor noise = torch::empty_like(mean).normal_(0.0, 1.0, generator);
    return (mean + temperature * std * noise).clamp(-1.0, 1.0);
  }

 private:
  double log_scale_min_;
};

}  // namespace

std::unique_ptr<OutputDistribution> make_gaussian_output(const ModelConfig& model) {
  return std::make_unique<GaussianOutput>(model.log_scale_min);
}

}  // namespace wn
