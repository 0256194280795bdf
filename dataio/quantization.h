#pragma once
// Samples in [-1, 1] to `classes` integer levels and back, mu-law (dataio/mulaw.h, mu =
// classes - 1) or linear (evenly spaced levels), as model.quantization selects. Softmax outputs
// predict these classes; mu-law inputs (WaveNet) and sample embeddings (SampleRNN) read them.

#include <cstdint>
#include <string>

namespace wn {

enum class Quantization { mulaw, linear };

// "mulaw" or "linear"; throws ConfigError otherwise.
Quantization quantization_named(const std::string& name);

// Nearest level, halves away from zero; samples outside [-1, 1] clamp.
int32_t quantize_sample(float x, int classes, Quantization q);
// The level's sample value.
float dequantize_sample(int32_t level, int classes, Quantization q);

}  // namespace wn
