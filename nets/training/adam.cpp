#include "nets/training/adam.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace wn {

Adam::Adam(std::vector<std::pair<std::string, torch::Tensor>> parameters, AdamSettings settings)
    : parameters_(std::move(parameters)), settings_(settings) {
  for (const auto& [name, p] : parameters_) {
    exp_avg_.push_back(torch::zeros_like(p));
    exp_avg_sq_.push_back(torch::zeros_like(p));
  }
}

void Adam::zero_grad() {
  for (auto& [name, p] : parameters_) {
    if (p.grad().defined()) p.mutable_grad().zero_();
  }
}

void Adam::step(double lr) {
  torch::NoGradGuard no_grad;
  ++steps_;
  const double b1 = settings_.beta1, b2 = settings_.beta2;
  const double correction1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
  const double correction2 = 1.0 - std::pow(b2, static_cast<double>(steps_));
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    torch::Tensor& p = parameters_[i].second;
    if (!p.grad().defined()) continue;
    torch::Tensor g = p.grad();
    if (settings_.weight_decay != 0) g = g.add(p, settings_.weight_decay);
    exp_avg_[i].mul_(b1).add_(g, 1.0 - b1);
    exp_avg_sq_[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
    const torch::Tensor denominator = (exp_avg_sq_[i].sqrt() / std::sqrt(correction2)).add_(settings_.eps);
    p.addcdiv_(exp_avg_[i], denominator, -lr / correction1);
  }
}

std::vector<std::pair<std::string, torch::Tensor>> Adam::state() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    out.emplace_back(parameters_[i].first + ".exp_avg", exp_avg_[i]);
    out.emplace_back(parameters_[i].first + ".exp_avg_sq", exp_avg_sq_[i]);
  }
  return out;
}

void Adam::load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state, int64_t steps) {
  const std::map<std::string, torch::Tensor> by_name(state.begin(), state.end());
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    for (auto [suffix, target] : {std::pair{".exp_avg", &exp_avg_[i]}, std::pair{".exp_avg_sq", &exp_avg_sq_[i]}}) {
      const auto it = by_name.find(parameters_[i].first + suffix);
      if (it == by_name.end() || !it->second.sizes().equals(target->sizes())) {
        throw std::invalid_argument("optimizer state for " + parameters_[i].first + " is missing or has another shape");
      }
      target->copy_(it->second);
    }
  }
  steps_ = steps;
}

}  // namespace wn
