#include "dataio/mulaw.h"

#include <algorithm>
#include <cmath>

namespace wn {

float mulaw_compress(float x, int mu) {
  const float clamped = std::clamp(x, -1.0f, 1.0f);
  const float m = static_cast<float>(mu);
  return std::copysign(std::log1p(m * std::fabs(clamped)) / std::log1p(m), clamped);
}

float mulaw_expand(float y, int mu) {
  const float clamped = std::clamp(y, -1.0f, 1.0f);
  const float m = static_cast<float>(mu);
  return std::copysign(std::expm1(std::fabs(clamped) * std::log1p(m)) / m, clamped);
}

int32_t mulaw_encode(float x, int mu) {
  // Map [-1, 1] onto [0, mu] and round to the nearest class.
  const float y = mulaw_compress(x, mu);
  return static_cast<int32_t>(std::lround((y + 1.0f) * 0.5f * static_cast<float>(mu)));
}

float mulaw_decode(int32_t index, int mu) {
  const float y = 2.0f * static_cast<float>(index) / static_cast<float>(mu) - 1.0f;
  return mulaw_expand(y, mu);
}

std::vector<int32_t> mulaw_encode(const std::vector<float>& samples, int mu) {
  std::vector<int32_t> out(samples.size());
  std::transform(samples.begin(), samples.end(), out.begin(),
                 [mu](float x) { return mulaw_encode(x, mu); });
  return out;
}

std::vector<float> mulaw_decode(const std::vector<int32_t>& indices, int mu) {
  std::vector<float> out(indices.size());
  std::transform(indices.begin(), indices.end(), out.begin(),
                 [mu](int32_t i) { return mulaw_decode(i, mu); });
  return out;
}

}  // namespace wn
