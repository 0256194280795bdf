#pragma once
// SampleRNN (Mehri et al., ICLR 2017): frame-level tiers, each a GRU or LSTM over frames of
// model.frame_sizes[k] samples (top tier first), whose outputs are upsampled to the tier below
// by learned per-position projections; then a sample-level MLP over the last frame_sizes.back()
// quantized samples (embedded) plus the lowest tier's conditioning, with a softmax over
// quantize_channels classes. Optional global label and mel conditioning enter at the top tier.
//
// Convention: frame j of a tier with frame size F covers samples [jF, (j+1)F); its input is the
// previous frame's F samples, so output t depends on samples < t only.

#include <torch/torch.h>

#include <vector>

#include "core/config/config.h"

namespace wn {

// Hidden state of every frame tier: per tier (layers, B, dim); LSTMs also carry their cells.
struct SampleRnnState {
  std::vector<torch::Tensor> hidden;
  std::vector<torch::Tensor> cell;  // empty for GRU
  bool defined() const { return !hidden.empty(); }
};

class SampleRnnImpl : public torch::nn::Cloneable<SampleRnnImpl> {
 public:
  SampleRnnImpl(const ModelConfig& model, int n_mels, int hop_length, int n_labels);
  void reset() override;

  // classes (B, H + T) int64 and their sample values (B, H + T), H = history() samples before
  // the T predicted ones (T a multiple of the top frame size); mel (B, T/hop + 2*context, n_mels)
  // or undefined; labels (B) or undefined; state from the previous chunk per row where
  // `reset` (B, bool) is false (h0 where it is true, or when state is undefined).
  // Returns logits (B, T, quantize_channels); `state` becomes the state after the chunk.
  torch::Tensor forward(const torch::Tensor& classes, const torch::Tensor& values, const torch::Tensor& mel,
                        const torch::Tensor& labels, const torch::Tensor& reset, SampleRnnState& state);

  // The parts, for the step-by-step generators.
  struct Tier {
    torch::nn::Linear input{nullptr};     // F -> dim
    torch::nn::GRU gru{nullptr};
    torch::nn::LSTM lstm{nullptr};
    torch::nn::Linear upsample{nullptr};  // dim -> ratio * next dim
    torch::Tensor h0, c0;                 // (layers, dim)
    int frame_size = 0;
    int ratio = 0;                        // frame_size / the next tier's frame size (or samples)
    int next_dim = 0;
  };
  std::vector<Tier> tiers;
  torch::nn::Conv1d mel_conv{nullptr};        // n_mels -> dim over cond_kernel_size frames
  torch::nn::Linear mel_upsample{nullptr};    // dim -> (hop / top frame) * dim
  torch::nn::Embedding label_embedding{nullptr};
  torch::nn::Linear label_projection{nullptr}; // label_embedding -> dim
  torch::nn::Embedding sample_embedding{nullptr};
  torch::nn::Linear mlp_input{nullptr};       // frame_size_L * embedding -> mlp (no bias)
  torch::nn::Linear mlp_hidden{nullptr};
  torch::nn::Linear mlp_output{nullptr};

  // Runs one tier over n frames: input (B, n, dim) already summed; returns outputs (B, n, dim).
  torch::Tensor run_tier(std::size_t k, const torch::Tensor& input, torch::Tensor& hidden, torch::Tensor& cell);
  // Top-tier conditioning for frames [0, n): mel and label terms, (B, n, dim) or undefined.
  torch::Tensor top_conditioning(const torch::Tensor& mel, const torch::Tensor& labels, int64_t frames);
  // The sample-level MLP: previous classes (B, T, F_L) and conditioning (B, T, mlp) -> logits.
  torch::Tensor sample_logits(const torch::Tensor& previous_classes, const torch::Tensor& conditioning);
  // Initial state for `batch` rows.
  SampleRnnState initial_state(int64_t batch);

  const ModelConfig& model() const { return model_; }
  int history() const { return model_.frame_sizes.front(); }
  int context_frames() const { return model_.local_conditioning ? (model_.cond_kernel_size - 1) / 2 : 0; }
  int hop_length() const { return hop_; }
  int n_labels() const { return n_labels_; }
  bool lstm() const { return model_.rnn_type == "lstm"; }

 private:
  ModelConfig model_;
  int n_mels_;
  int hop_;
  int n_labels_;
};
TORCH_MODULE(SampleRnn);

}  // namespace wn
