#include "nets/wavenet/receptive_field.h"

namespace wn {

int64_t layer_dilation(const ModelConfig& model, int layer) {
  return int64_t{1} << (layer % (model.layers / model.stacks));
}

std::vector<int64_t> layer_dilations(const ModelConfig& model) {
  std::vector<int64_t> dilations;
  for (int layer = 0; layer < model.layers; ++layer) dilations.push_back(layer_dilation(model, layer));
  return dilations;
}

int64_t receptive_field_samples(const ModelConfig& model) {
  int64_t field = 1;
  for (int64_t d : layer_dilations(model)) field += (model.kernel_size - 1) * d;
  return field;
}

}  // namespace wn
