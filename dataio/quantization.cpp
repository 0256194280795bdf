#include "dataio/quantization.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "dataio/mulaw.h"

namespace wn {

namespace {
constexpr double kFloorInside = 1e-3;
}  // namespace

Quantization quantization_named(const std::string& name) {
  if (name == "mulaw") return Quantization::mulaw;
  if (name == "mulaw_floor") return Quantization::mulaw_floor;
  if (name == "linear") return Quantization::linear;
  throw ConfigError("model.quantization must be one of mulaw, mulaw_floor, linear, got '" + name + "'");
}

int32_t quantize_sample(float x, int classes, Quantization q) {
  if (q == Quantization::mulaw) return mulaw_encode(x, classes - 1);
  if (q == Quantization::mulaw_floor) {
    // nnmnkwii truncates (compand(x) + 1) / 2 * mu toward zero (the value is never negative).
    // In double, so that decoded levels come back for 65536 classes too.
    const double mu = classes - 1;
    const double v = std::clamp(static_cast<double>(x), -1.0, 1.0);
    const double companded = std::copysign(std::log1p(mu * std::abs(v)) / std::log1p(mu), v);
    return std::min(classes - 1, static_cast<int32_t>((companded + 1.0) * 0.5 * mu));
  }
  const float clamped = std::clamp(x, -1.0f, 1.0f);
  return static_cast<int32_t>(std::lround((clamped + 1.0f) * 0.5f * static_cast<float>(classes - 1)));
}

float dequantize_sample(int32_t level, int classes, Quantization q) {
  if (q == Quantization::mulaw) return mulaw_decode(level, classes - 1);
  if (q == Quantization::mulaw_floor) {
    // nnmnkwii decodes a level at its bin's lower edge, where rounding can put the value back in
    // the bin below; a thousandth of a level inside, it quantizes back to itself (generators
    // feed their samples back this way).
    const double mu = classes - 1;
    const double y = std::min(1.0, 2.0 * (level + kFloorInside) / mu - 1.0);
    return static_cast<float>(std::copysign(std::expm1(std::abs(y) * std::log1p(mu)) / mu, y));
  }
  return 2.0f * static_cast<float>(level) / static_cast<float>(classes - 1) - 1.0f;
}

}  // namespace wn
