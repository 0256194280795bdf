#pragma once
// A trained SampleRNN as plain arrays for the fast generator: every linear map and recurrent
// matrix as a K x N row-major matrix (inputs x outputs), the per-step ones optionally bfloat16;
// the label embedding folded through its projection into a table, and the sample embedding
// folded through the MLP's input layer into one table per frame position, so the MLP's input
// is a sum of table rows instead of a product.

#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/kernels/packed_matrix.h"

namespace wn {

class SampleRnn;

struct RecurrentLayerWeights {
  PackedMatrix input;   // in x gates*dim (GRU gates r, z, n; LSTM i, f, g, o)
  PackedMatrix hidden;  // dim x gates*dim
  std::vector<float> input_bias, hidden_bias;
};

struct FrameTierWeights {
  int frame_size = 0, ratio = 0, next_dim = 0;
  PackedMatrix input;  // frame_size x dim
  std::vector<float> input_bias;
  std::vector<RecurrentLayerWeights> layers;
  std::vector<float> h0, c0;  // layers x dim (c0: LSTM only)
  PackedMatrix upsample;      // dim x ratio*next_dim
  std::vector<float> upsample_bias;
};

struct SampleRnnWeights {
  ModelConfig model;
  int dim = 0, mlp = 0, classes = 0, gates = 3, hop = 0, n_mels = 0;
  std::vector<FrameTierWeights> tiers;
  PackedMatrix mel_conv;  // (cond_kernel * n_mels) x dim: rows tap-major, so a frame window is one input row
  std::vector<float> mel_conv_bias;
  PackedMatrix mel_upsample;  // dim x (hop / top frame) * dim
  std::vector<float> mel_upsample_bias;
  int n_labels = 0;
  std::vector<float> label_table;   // n_labels x dim
  std::vector<float> sample_tables; // frame_size_L x classes x mlp
  PackedMatrix mlp_hidden, mlp_output;  // mlp x mlp, mlp x classes
  std::vector<float> mlp_hidden_bias, mlp_output_bias;

  // Multiply-adds per generated sample, averaged over the tiers' frame rates.
  double macs_per_sample() const;
  // Weight bytes read per sample, likewise averaged.
  double bytes_per_sample() const;
};

// Throws ConfigError for an unknown precision ("fp32" or "bf16").
SampleRnnWeights pack_samplernn_weights(SampleRnn& net, const std::string& precision);

}  // namespace wn
