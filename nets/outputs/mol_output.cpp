#include <cmath>

#include "nets/device_generator.h"
#include "nets/outputs/output_distribution.h"

namespace wn {
namespace {

namespace F = torch::nn::functional;

class MixtureOfLogistics final : public OutputDistribution {
 public:
  MixtureOfLogistics(int components, int levels, double log_scale_min)
      : k_(components), levels_(levels), log_scale_min_(log_scale_min) {}
  int channels() const override { return 3 * k_; }

  torch::Tensor sample_nll(const torch::Tensor& out, const torch::Tensor& target) const override {
    const auto parts = out.split(k_, /*dim=*/1);  // each (B, K, T)
    const torch::Tensor logit_probs = parts[0];
    const torch::Tensor means = parts[1];
    const torch::Tensor log_scales = parts[2].clamp_min(log_scale_min_);
    const torch::Tensor y = target.unsqueeze(1);  // (B, 1, T)
    const double half_bin = 1.0 / (levels_ - 1);

    const torch::Tensor centred = y - means;
    const torch::Tensor inv_scale = torch::exp(-log_scales);
    const torch::Tensor plus_in = inv_scale * (centred + half_bin);
    const torch::Tensor min_in = inv_scale * (centred - half_bin);
    const torch::Tensor cdf_delta = torch::sigmoid(plus_in) - torch::sigmoid(min_in);
    // Edge bins take the whole tail; a bin too thin for float32 uses the density at its centre.
    const torch::Tensor log_cdf_plus = plus_in - F::softplus(plus_in);
    const torch::Tensor log_one_minus_cdf_min = -F::softplus(min_in);
    const torch::Tensor mid_in = inv_scale * centred;
    const torch::Tensor log_pdf_mid = mid_in - log_scales - 2.0 * F::softplus(mid_in);
    const torch::Tensor interior =
        torch::where(cdf_delta > 1e-5, torch::log(cdf_delta.clamp_min(1e-12)),
                     log_pdf_mid - std::log((levels_ - 1) / 2.0));
    const torch::Tensor log_probs = torch::where(
        y < -0.999, log_cdf_plus, torch::where(y > 0.999, log_one_minus_cdf_min, interior));
    const torch::Tensor mixed = torch::logsumexp(log_probs + torch::log_softmax(logit_probs, 1), /*dim=*/1);
    return -mixed;
  }

  torch::Tensor sample(const torch::Tensor& out, double temperature,
                       torch::Generator& generator) const override {
    check_generator_device(generator, out, "mixture of logistics output");
    const auto parts = out.split(k_, /*dim=*/1);  // each (B, K)
    // Gumbel-max picks a component with probability softmax(logits / temperature).
    const torch::Tensor u1 = torch::empty_like(parts[0]).uniform_(1e-5, 1.0 - 1e-5, generator);
    const torch::Tensor component = (parts[0] / temperature - torch::log(-torch::log(u1))).argmax(1, true);
    const torch::Tensor mean = parts[1].gather(1, component).squeeze(1);
    const torch::Tensor log_scale = parts[2].gather(1, component).squeeze(1).clamp_min(log_scale_min_);
    const torch::Tensor u2 = torch::empty_like(mean).uniform_(1e-5, 1.0 - 1e-5, generator);
    const torch::Tensor logistic = torch::log(u2) - torch::log1p(-u2);
    return (mean + temperature * torch::exp(log_scale) * logistic).clamp(-1.0, 1.0);
  }

 private:
  int k_;
  int levels_;
  double log_scale_min_;
};

}  // namespace

std::unique_ptr<OutputDistribution> make_mol_output(const ModelConfig& model) {
  return std::make_unique<MixtureOfLogistics>(model.mixture_components, model.quantize_channels,
                                              model.log_scale_min);
}

}  // namespace wn
