#pragma once
// Adam (Kingma & Ba, with bias correction and L2 weight decay, as torch.optim.Adam) over named
// parameters, with its state exposed by name so checkpoints store it in a dict Python can read.

#include <torch/torch.h>

#include <string>
#include <vector>

namespace wn {

struct AdamSettings {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

class Adam {
 public:
  Adam(std::vector<std::pair<std::string, torch::Tensor>> parameters, AdamSettings settings);
  // One update with learning rate `lr` from the parameters' current .grad().
  void step(double lr);
  void zero_grad();
  int64_t steps() const { return steps_; }

  // "<name>.exp_avg" and "<name>.exp_avg_sq" for every parameter.
  std::vector<std::pair<std::string, torch::Tensor>> state() const;
  // Restores state(); throws std::invalid_argument when a name or shape is missing.
  void load_state(const std::vector<std::pair<std::string, torch::Tensor>>& state, int64_t steps);

 private:
  std::vector<std::pair<std::string, torch::Tensor>> parameters_;
  std::vector<torch::Tensor> exp_avg_, exp_avg_sq_;
  AdamSettings settings_;
  int64_t steps_ = 0;
};

}  // namespace wn
