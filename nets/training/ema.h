#pragma once
// Exponential moving average of the weights, used for synthesis. The effective decay starts low
// and rises to `decay` (min(decay, (1 + n) / (10 + n)) after n updates), so short runs get a
// usable average too.

#include <torch/torch.h>

#include <string>
#include <vector>

namespace wn {

class WeightAverage {
 public:
  WeightAverage(const std::vector<std::pair<std::string, torch::Tensor>>& parameters, double decay);
  void update(const std::vector<std::pair<std::string, torch::Tensor>>& parameters);
  const std::vector<std::pair<std::string, torch::Tensor>>& averages() const { return shadow_; }
  int64_t updates() const { return updates_; }
  void load(const std::vector<std::pair<std::string, torch::Tensor>>& averages, int64_t updates);
  // Copies the averages into `parameters` (for evaluation with EMA weights).
  void copy_to(const std::vector<std::pair<std::string, torch::Tensor>>& parameters) const;

 private:
  std::vector<std::pair<std::string, torch::Tensor>> shadow_;
  double decay_;
  int64_t updates_ = 0;
};

}  // namespace wn
