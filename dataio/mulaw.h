#pragma once
// Mu-law companding (ITU-T G.711 style, continuous form) between float samples in [-1, 1] and
// integer classes in [0, mu]. The WaveNet softmax output predicts these classes.

#include <cstdint>
#include <vector>

namespace wn {

// Continuous mu-law: sign(x) * log(1 + mu|x|) / log(1 + mu), for x clamped to [-1, 1].
float mulaw_compress(float x, int mu = 255);
float mulaw_expand(float y, int mu = 255);

// Quantised mu-law: class index in [0, mu] and back to the class-centre sample value.
int32_t mulaw_encode(float x, int mu = 255);
float mulaw_decode(int32_t index, int mu = 255);

std::vector<int32_t> mulaw_encode(const std::vector<float>& samples, int mu = 255);
std::vector<float> mulaw_decode(const std::vector<int32_t>& indices, int mu = 255);

}  // namespace wn
