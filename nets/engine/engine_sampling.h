#pragma once
// Sampling the next sample from one row of network output, without LibTorch: the engine's
// per-step sampler for the three output distributions (same maths as nets/outputs).

#include <cstdint>
#include <random>

#include "core/config/config.h"

namespace wn {

class StepSampler {
 public:
  StepSampler(const ModelConfig& model, double temperature);
  // `out` holds out_channels values; returns a sample in [-1, 1]. `scratch` holds at least
  // out_channels floats.
  float sample(const float* out, std::mt19937_64& rng, float* scratch) const;

 private:
  float softmax(const float* out, std::mt19937_64& rng, float* scratch) const;
  float mixture(const float* out, std::mt19937_64& rng) const;
  float gaussian(const float* out, std::mt19937_64& rng) const;
  enum class Kind { softmax, mol, gaussian } kind_;
  int channels_;
  int components_;
  float log_scale_min_;
  double temperature_;
};

// Uniform in (0, 1) from 53 random bits.
double uniform_open(std::mt19937_64& rng);

}  // namespace wn
