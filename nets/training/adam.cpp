#include "nets/training/adam.h"

#include <cmath>
#include <map>
#include <stdexcept>

#include "nets/training/multi_tensor.h"

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
  std::vector<torch::Tensor> params, grads, exp_avg, exp_avg_sq;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const torch::Tensor& p = parameters_[i].second;
    if (!p.grad().defined()) continue;
    params.push_back(p);
    grads.push_back(p.grad());
    exp_avg.push_back(exp_avg_[i]);
    exp_avg_sq.push_back(exp_avg_sq_[i]);
  }
  if (params.empty()) return;
  if (!has_foreach_kernels(params)) {  // the same arithmetic, tensor by tensor
    for (std::size_t i = 0; i < params.size(); ++i) {
      torch::Tensor g = settings_.weight_decay != 0 ? grads[i].add(params[i], settings_.weight_decay) : grads[i];
      exp_avg[i].mul_(b1).add_(g, 1.0 - b1);
      exp_avg_sq[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
      const torch::Tensor denominator = (exp_avg_sq[i].sqrt() / std::sqrt(correction2)).add_(settings_.eps);
      params[i].addcdiv_(exp_avg[i], denominator, -lr / correction1);
    }
    return;
  }
  // One _foreach call per stage over every parameter: a handful of kernel launches per step.
  if (settings_.weight_decay != 0) grads = at::_foreach_add(grads, params, settings_.weight_decay);
  at::_foreach_mul_(exp_avg, b1);
  at::_foreach_add_(exp_avg, grads, 1.0 - b1);
  at::_foreach_mul_(exp_avg_sq, b2);
  at::_foreach_addcmul_(exp_avg_sq, grads, grads, 1.0 - b2);
  std::vector<torch::Tensor> denominator = at::_foreach_sqrt(exp_avg_sq);
  at::_foreach_div_(denominator, std::sqrt(correction2));
  at::_foreach_add_(denominator, settings_.eps);
  at::_foreach_addcdiv_(params, exp_avg, denominator, -lr / correction1);
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
