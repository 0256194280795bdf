#include "nets/training/ema.h"

#include <algorithm>
#include <stdexcept>

#include "nets/training/multi_tensor.h"

namespace wn {

WeightAverage::WeightAverage(const std::vector<std::pair<std::string, torch::Tensor>>& parameters, double decay)
    : decay_(decay) {
  for (const auto& [name, p] : parameters) shadow_.emplace_back(name, p.detach().clone());
}

void WeightAverage::update(const std::vector<std::pair<std::string, torch::Tensor>>& parameters) {
  torch::NoGradGuard no_grad;
  ++updates_;
  const double n = static_cast<double>(updates_);
  const double d = std::min(decay_, (1.0 + n) / (10.0 + n));
  std::vector<torch::Tensor> shadow, current;
  for (std::size_t i = 0; i < shadow_.size(); ++i) {
    shadow.push_back(shadow_[i].second);
    current.push_back(parameters[i].second);
  }
  if (!has_foreach_kernels(shadow)) {  // the same arithmetic, tensor by tensor
    for (std::size_t i = 0; i < shadow.size(); ++i) shadow[i].mul_(d).add_(current[i], 1.0 - d);
    return;
  }
  at::_foreach_mul_(shadow, d);  // one call per stage over every tensor: few kernel launches
  at::_foreach_add_(shadow, current, 1.0 - d);
}

void WeightAverage::load(const std::vector<std::pair<std::string, torch::Tensor>>& averages, int64_t updates) {
  torch::NoGradGuard no_grad;
  if (averages.size() != shadow_.size()) throw std::invalid_argument("EMA state does not match the model");
  for (std::size_t i = 0; i < shadow_.size(); ++i) {
    const auto& [name, values] = averages[i];
    if (name != shadow_[i].first || !values.sizes().equals(shadow_[i].second.sizes())) {
      throw std::invalid_argument("EMA state for " + shadow_[i].first + " is missing or has another shape");
    }
    shadow_[i].second.copy_(values);
  }
  updates_ = updates;
}

void WeightAverage::copy_to(const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < shadow_.size(); ++i) parameters[i].second.copy_(shadow_[i].second);
}

}  // namespace wn
