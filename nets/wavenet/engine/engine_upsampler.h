#pragma once
// The conditioning upsampler (nets/conditioning.h) in plain loops, for the engine. LibTorch's
// convolutions may round differently with the batch size, the thread count or the alignment
// of a buffer, which would make a clip's audio depend on what else is generated with it; these
// loops sum in one fixed order, so the same mel always gives the same conditioning, bit for bit.

#include <cstdint>
#include <string>
#include <vector>

#include "nets/wavenet/wavenet.h"

namespace wn {

struct EngineUpsampler {
  int n_mels = 0;
  int kernel = 0;                                // of the convolution over frames
  bool transposed = false;                       // else nearest stretch + smoothing
  std::vector<int> scales;
  std::vector<float> input_weight;               // [out][in][kernel]
  std::vector<std::vector<float>> stage_weights; // per scale: 2s+1 smoothing taps, or s transposed taps

  // mel: frames x n_mels, row-major, context frames included. Returns
  // (frames - kernel + 1) * prod(scales) samples x n_mels, row-major.
  std::vector<float> upsample(const float* mel, int64_t frames) const;

  // The same in two parts, so that the engine can project the conditioning before the last
  // (channel-wise, linear) stage: the input of the last stage, rows x n_mels, row-major; and
  // that stage as a polyphase filter: output sample f*s + p (s = last_scale()) is
  //   sum over d in {-1, 0, 1} of last_stage_taps()[3*p + d + 1] * input row f + d,
  // with rows outside the input taken as zero (exactly the stage's zero padding).
  std::vector<float> upsample_to_last_stage(const float* mel, int64_t frames) const;
  int last_scale() const { return scales.back(); }
  std::vector<float> last_stage_taps() const;
};

// Empty (n_mels 0) for models without local conditioning.
EngineUpsampler pack_engine_upsampler(WaveNet& net);

}  // namespace wn
