#include "nets/device_generator.h"

#include <ATen/Context.h>
#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>
#include <string>

namespace wn {

torch::Generator seeded_generator(const torch::Device& device, uint64_t seed) {
  if (device.is_cpu()) return at::detail::createCPUGenerator(seed);
  if (device.is_cuda()) {
    // Through the device-agnostic context, so a CPU build compiles it: a copy of the device's
    // default generator, reseeded, never the shared one.
    torch::Generator generator = at::globalContext().defaultGenerator(device).clone();
    generator.set_current_seed(seed);
    return generator;
  }
  return torch::Generator();
}

void check_generator_device(const torch::Generator& generator, const torch::Tensor& tensor, const char* who) {
  if (!generator.defined() || generator.device().type() == tensor.device().type()) return;
  throw std::invalid_argument(std::string(who) + ": a " + generator.device().str() + " random generator cannot sample " +
                              tensor.device().str() + " tensors");
}

}  // namespace wn
