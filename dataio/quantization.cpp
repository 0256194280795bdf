#include "dataio/quantization.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "dataio/mulaw.h"

namespace wn {

Quantization quantization_named(const std::string& name) {
  if (name == "mulaw") return Quantization::mulaw;
  if (name == "linear") return Quantization::linear;
  throw ConfigError("model.quantization must be one of mulaw, linear, got '" + name + "'");
}

int32_t quantize_sample(float x, int classes, Quantization q) {
  if (q == Quantization::mulaw) return mulaw_encode(x, classes - 1);
  const float clamped = std::clamp(x, -1.0f, 1.0f);
  return static_cast<int32_t>(std::lround((clamped + 1.0f) * 0.5f * static_cast<float>(classes - 1)));
}

float dequantize_sample(int32_t level, int classes, Quantization q) {
  if (q == Quantization::mulaw) return mulaw_decode(level, classes - 1);
  return 2.0f * static_cast<float>(level) / static_cast<float>(classes - 1) - 1.0f;
}

}  // namespace wn
