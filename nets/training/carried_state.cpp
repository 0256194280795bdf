#include "nets/training/carried_state.h"

#include <torch/torch.h>

#include "core/log.h"
#include "nets/training/train_state.h"

namespace wn {

NamedTensors gather_carried_state(const Model& model, Communicator* comm) {
  NamedTensors gathered;
  for (const auto& [name, tensor] : model.carried_state()) {
    const torch::Tensor all = comm ? comm->all_gather(tensor.detach()) : tensor.detach().unsqueeze(0);
    gathered.emplace_back(name, all.cpu());
  }
  return gathered;
}

void restore_carried_state(Model& model, const TrainState& resumed, const DistributedEnv& env, const c10::Device& device,
                           const std::filesystem::path& checkpoint) {
  if (resumed.carried.empty()) return;
  if (resumed.carried_world != env.world_size) {
    WN_LOG(warn) << checkpoint.string() << " was written by " << resumed.carried_world << " ranks, this run has "
                 << env.world_size << ": the training streams start afresh instead of continuing";
    return;
  }
  NamedTensors mine;
  for (const auto& [name, all] : resumed.carried) mine.emplace_back(name, all.select(0, env.rank).to(device));
  model.set_carried_state(mine);
}

}  // namespace wn
