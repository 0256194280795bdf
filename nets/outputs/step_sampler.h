#pragma once
// Sampling the next sample from one row of network output, without LibTorch: the engine's
// per-step sampler for the three output distributions (same maths as nets/outputs).

#include <cstdint>
#include <random>

#include "core/config/config.h"
#include "dataio/quantization.h"

namespace wn {

class StepSampler {
 public:
  StepSampler(const ModelConfig& model, double temperature);
  // `out` holds out_channels values; returns a sample in [-1, 1]. `scratch` holds at least
  // out_channels floats.
  float sample(const float* out, std::mt19937_64& rng, float* scratch) const;
  // Softmax only: the sampled class of `logits` (quantize_channels values).
  int sample_class(const float* logits, std::mt19937_64& rng, float* scratch) const;
  enum class Kind { softmax, mol, gaussian };

 private:
  float softmax(const float* out, std::mt19937_64& rng, float* scratch) const;
  float mixture(const float* out, std::mt19937_64& rng) const;
  float gaussian(const float* out, std::mt19937_64& rng) const;
  Kind kind_;
  int channels_;
  Quantization quantization_;
  int components_;
  float log_scale_min_;
  double temperature_;
};

// Uniform in (0, 1) from 53 random bits.
double uniform_open(std::mt19937_64& rng);

// The seed of batch row `row` of a call seeded with `seed` (SplitMix64 of the pair). A clip
// with its own seed s is seeded row_seed(s, 0), so it sounds the same at any row of a batch.
uint64_t row_seed(uint64_t seed, int64_t row);

}  // namespace wn
