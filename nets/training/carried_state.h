#pragma once
// Training state a sequential family carries from one step to the next (SampleRNN's hidden
// states under truncated backpropagation through time), across ranks and checkpoints: rank 0
// stores every rank's state, stacked by rank, so a resumed run continues each stream exactly.

#include <c10/core/Device.h>

#include <filesystem>

#include "core/distributed.h"
#include "nets/model.h"

namespace wn {

struct TrainState;

// Every rank's carried state, (world_size, ...) per name, on the CPU. Collective when `comm`
// is set: every rank must call it at the same step. Empty for stateless models.
NamedTensors gather_carried_state(const Model& model, Communicator* comm);

// This rank's part of a checkpoint's carried state, into the model. When the checkpoint was
// written by another number of ranks, the streams cannot continue: the state starts afresh
// (logged as a warning naming `checkpoint`).
void restore_carried_state(Model& model, const TrainState& resumed, const DistributedEnv& env, const c10::Device& device,
                           const std::filesystem::path& checkpoint);

}  // namespace wn
