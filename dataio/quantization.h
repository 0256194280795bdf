#pragma once
// Samples in [-1, 1] to `classes` integer levels and back, mu-law (dataio/mulaw.h, mu =
// classes - 1), mu-law rounded down (r9y9/nnmnkwii's mulaw_quantize, for imported models) or
// linear (evenly spaced levels), as model.quantization selects. Softmax outputs
// predict these classes; mu-law inputs (WaveNet) and sample embeddings (SampleRNN) read them.

#include <cstdint>
#include <string>

namespace wn {

enum class Quantization { mulaw, mulaw_floor, linear };

// "mulaw", "mulaw_floor" or "linear"; throws ConfigError otherwise.
Quantization quantization_named(const std::string& name);

// Nearest level, halves away from zero (mulaw_floor: the level below); samples outside [-1, 1] clamp.
int32_t quantize_sample(float x, int classes, Quantization q);
// The level's sample value (mulaw_floor: a thousandth of a level above the bin's lower edge,
// so it quantizes back to the level).
float dequantize_sample(int32_t level, int classes, Quantization q);

}  // namespace wn
