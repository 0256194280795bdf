#pragma once
// Random generators that match the device of the tensors they drive. LibTorch's sampling ops
// refuse a CPU generator for CUDA tensors ("Expected a 'cuda' device type for generator"), so
// every sampler takes the generator of its model's device, seeded.

#include <torch/types.h>

#include <cstdint>

namespace wn {

// A generator of `device`'s type seeded with `seed` (its own, not the device's default one).
// Undefined for device types without generators (meta), where random ops need none.
torch::Generator seeded_generator(const torch::Device& device, uint64_t seed);

// Throws std::invalid_argument naming both devices when a defined generator is of another
// device type than `tensor`: the error CUDA would raise, raised on every device.
void check_generator_device(const torch::Generator& generator, const torch::Tensor& tensor, const char* who);

}  // namespace wn
