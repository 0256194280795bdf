#pragma once
// A trained WaveNet as plain arrays laid out for the engine's kernels: every 1x1 or dilated
// conv becomes a K x N row-major matrix (inputs x outputs), weight normalisation folded in,
// the per-step matrices optionally stored as bfloat16, and the label embedding as a table.
// Built once from the module; the cached engine and the LibTorch incremental generator both
// read this view (the upsampler has its own plain form, engine_upsampler.h).

#include <cstdint>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/kernels/packed_matrix.h"
#include "nets/wavenet/pitch_rows.h"
#include "nets/wavenet/wavenet.h"

namespace wn {

struct EngineLayer {
  int dilation = 1;
  PackedMatrix taps;            // (kernel*R) x gate, oldest tap's rows first
  std::vector<float> taps_bias; // gate
  PackedMatrix local;           // n_mels x gate (fp32: used for the per-chunk precompute)
  PackedMatrix source;          // pitch source channels x gate (fp32); empty without pitch conditioning
  PackedMatrix global;          // label_embedding x gate (fp32)
  PackedMatrix residual;        // half x R; empty in the last layer
  std::vector<float> residual_bias;
};

struct EngineWeights {
  ModelConfig model;
  int n_mels = 0;
  int residual = 0, gate = 0, half = 0, skip = 0, out_channels = 0;
  std::vector<float> input_table;  // mu-law input: classes x R (the first conv's columns); raw: 1 x R
  std::vector<float> input_bias;   // R
  std::vector<EngineLayer> layers;
  PackedMatrix skip_all;           // (layers*half) x skip, scaled by sqrt(1/layers)
  std::vector<float> skip_bias;    // sum of the layers' skip biases, scaled likewise
  PackedMatrix post_skip;          // skip x skip
  std::vector<float> post_skip_bias;
  PackedMatrix post_output;        // skip x out
  std::vector<float> post_output_bias;
  int n_labels = 0, label_dim = 0;  // global conditioning
  std::vector<float> label_table;   // n_labels x label_dim
  PitchConditioning pitch;          // the pitch head and source (model.pitch_harmonics > 0)

  // Multiply-adds of one generation step for one utterance (the per-step products, and the
  // pitch source's projection, which runs once a chunk but grows with the steps).
  int64_t macs_per_step() const;
  int64_t step_weight_bytes() const;
};

// Throws ConfigError for an unknown precision ("fp32" or "bf16").
EngineWeights pack_engine_weights(WaveNet& net, const std::string& precision);


}  // namespace wn
