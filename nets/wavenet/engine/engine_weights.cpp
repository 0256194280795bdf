#include "nets/wavenet/engine/engine_weights.h"

#include <cmath>

#include "nets/tensor_packing.h"
#include "nets/wavenet/receptive_field.h"

namespace wn {
namespace {

// A 1x1 conv's weight (out, in, 1) as an (in x out) matrix.
torch::Tensor as_input_by_output(const CausalConv1d& conv) { return conv->weight().squeeze(-1).t(); }

}  // namespace

int64_t EngineWeights::macs_per_step() const {
  int64_t macs = 0;
  for (const auto& l : layers) {
    macs += static_cast<int64_t>(l.taps.k) * l.taps.n + static_cast<int64_t>(l.residual.k) * l.residual.n +
            static_cast<int64_t>(l.source.k) * l.source.n;
  }
  macs += static_cast<int64_t>(skip_all.k) * skip_all.n + static_cast<int64_t>(post_skip.k) * post_skip.n +
          static_cast<int64_t>(post_output.k) * post_output.n;
  return macs;
}

int64_t EngineWeights::step_weight_bytes() const {
  int64_t bytes = skip_all.bytes() + post_skip.bytes() + post_output.bytes();
  for (const auto& l : layers) bytes += l.taps.bytes() + l.residual.bytes();  // the source's are read once a chunk
  return bytes;
}

EngineWeights pack_engine_weights(WaveNet& net, const std::string& precision) {
  const bool bf16 = bf16_precision(precision);
  torch::NoGradGuard no_grad;
  const ModelConfig& m = net->model();
  EngineWeights w;
  w.model = m;
  w.residual = m.residual_channels;
  w.gate = m.gate_channels;
  w.half = m.gate_channels / 2;
  w.skip = m.skip_channels;
  w.out_channels = net->out_channels();
  w.input_table = to_vector(as_input_by_output(net->first));  // (classes or 1) x R
  w.input_bias = to_vector(net->first->bias());

  const double skip_scale = std::sqrt(1.0 / m.layers);
  std::vector<torch::Tensor> skip_blocks;
  torch::Tensor skip_bias = torch::zeros({m.skip_channels});
  for (std::size_t l = 0; l < net->blocks.size(); ++l) {
    ResidualBlock& block = net->blocks[l];
    EngineLayer layer;
    layer.dilation = static_cast<int>(layer_dilation(m, static_cast<int>(l)));
    const torch::Tensor taps = block->dilated->weight();  // (gate, R, k)
    layer.taps = pack(taps.permute({2, 1, 0}).reshape({-1, taps.size(0)}), bf16);
    layer.taps_bias = to_vector(block->dilated->bias());
    if (block->local_projection) {
      // Input rows: the mel bins, then the pitch source's channels (wavenet.h).
      const torch::Tensor local = as_input_by_output(block->local_projection);
      const int64_t sources = harmonic_source_channels(m.pitch_harmonics);
      layer.local = pack(local.narrow(0, 0, local.size(0) - sources), false);
      if (sources > 0) layer.source = pack(local.narrow(0, local.size(0) - sources, sources), false);
      w.n_mels = layer.local.k;
    }
    if (block->global_projection) layer.global = pack(as_input_by_output(block->global_projection), false);
    if (block->residual) {
      layer.residual = pack(as_input_by_output(block->residual), bf16);
      layer.residual_bias = to_vector(block->residual->bias());
    }
    skip_blocks.push_back(as_input_by_output(block->skip) * skip_scale);
    skip_bias += block->skip->bias() * skip_scale;
    w.layers.push_back(std::move(layer));
  }
  w.skip_all = pack(torch::cat(skip_blocks, 0), bf16);
  w.skip_bias = to_vector(skip_bias);
  w.post_skip = pack(as_input_by_output(net->post_skip), bf16);
  w.post_skip_bias = to_vector(net->post_skip->bias());
  w.post_output = pack(as_input_by_output(net->post_output), bf16);
  w.post_output_bias = to_vector(net->post_output->bias());
  w.pitch = net->pitch_conditioning();
  if (m.global_conditioning) {
    w.n_labels = net->n_labels();
    w.label_dim = m.label_embedding;
    w.label_table = to_vector(net->embed_labels(torch::arange(w.n_labels, torch::kLong).to(net->first->weight().device())));
  }
  return w;
}

}  // namespace wn
