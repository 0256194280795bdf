#pragma once
// Receptive field of a WaveNet config: how many past samples one output sample can see.

#include <cstdint>
#include <vector>

#include "core/config/config.h"

namespace wn {

// Dilation of each residual layer: 2^(l mod (layers / stacks)), integer division, so a layer
// count that is not a multiple of stacks ends with a partial cycle.
std::vector<int64_t> layer_dilations(const ModelConfig& model);
int64_t layer_dilation(const ModelConfig& model, int layer);

// Samples that influence one output: 1 + sum over layers of (kernel_size - 1) * dilation.
int64_t receptive_field_samples(const ModelConfig& model);

}  // namespace wn
