#include "nets/outputs/step_sampler.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "dataio/quantization.h"

namespace wn {
namespace {

// The sampler of an output name; an unknown name is an error, not a silent softmax.
StepSampler::Kind kind_of(const std::string& output) {
  if (output == "mol") return StepSampler::Kind::mol;
  if (output == "gaussian") return StepSampler::Kind::gaussian;
  if (output == "softmax") return StepSampler::Kind::softmax;
  throw ConfigError("model.output: no step sampler for '" + output + "' (softmax, mol or gaussian)");
}

}  // namespace

uint64_t row_seed(uint64_t seed, int64_t row) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(row + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double uniform_open(std::mt19937_64& rng) { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; }

StepSampler::StepSampler(const ModelConfig& model, double temperature)
    : kind_(kind_of(model.output)),
      channels_(model.quantize_channels),
      quantization_(quantization_named(model.quantization)),
      components_(model.mixture_components),
      log_scale_min_(static_cast<float>(model.log_scale_min)),
      temperature_(temperature) {}

float StepSampler::sample(const float* out, std::mt19937_64& rng, float* scratch) const {
  switch (kind_) {
    case Kind::mol: return mixture(out, rng);
    case Kind::gaussian: return gaussian(out, rng);
    case Kind::softmax: break;
  }
  return softmax(out, rng, scratch);
}

float StepSampler::softmax(const float* out, std::mt19937_64& rng, float* scratch) const {
  return dequantize_sample(sample_class(out, rng, scratch), channels_, quantization_);
}

int StepSampler::sample_class(const float* out, std::mt19937_64& rng, float* scratch) const {
  const float top = *std::max_element(out, out + channels_);
  double total = 0;
  for (int c = 0; c < channels_; ++c) {
    scratch[c] = static_cast<float>(std::exp((out[c] - top) / temperature_));
    total += scratch[c];
  }
  double target = uniform_open(rng) * total;
  int chosen = channels_ - 1;
  for (int c = 0; c < channels_; ++c) {
    target -= scratch[c];
    if (target <= 0) {
      chosen = c;
      break;
    }
  }
  return chosen;
}

float StepSampler::mixture(const float* out, std::mt19937_64& rng) const {
  const int k = components_;
  int best = 0;
  double best_score = -1e300;
  for (int c = 0; c < k; ++c) {  // Gumbel-max over logits / temperature
    const double score = out[c] / temperature_ - std::log(-std::log(uniform_open(rng)));
    if (score > best_score) {
      best_score = score;
      best = c;
    }
  }
  const double mean = out[k + best];
  const double log_scale = std::max(out[2 * k + best], log_scale_min_);
  const double u = uniform_open(rng);
  const double x = mean + temperature_ * std::exp(log_scale) * (std::log(u) - std::log1p(-u));
  return static_cast<float>(std::clamp(x, -1.0, 1.0));
}

float StepSampler::gaussian(const float* out, std::mt19937_64& rng) const {
  const double mean = out[0];
  const double std_dev = std::exp(std::max(out[1], log_scale_min_));
  // Box-Muller.
  const double z = std::sqrt(-2.0 * std::log(uniform_open(rng))) * std::cos(2.0 * M_PI * uniform_open(rng));
  return static_cast<float>(std::clamp(mean + temperature_ * std_dev * z, -1.0, 1.0));
}

}  // namespace wn
