#include "nets/samplernn/engine/samplernn_weights.h"

#include "nets/samplernn/samplernn.h"
#include "nets/tensor_packing.h"

namespace wn {
namespace {

// A Linear's (out, in) weight as an (in x out) matrix.
PackedMatrix pack_linear(const torch::nn::Linear& linear, bool bf16) { return pack(linear->weight.t(), bf16); }

std::vector<RecurrentLayerWeights> pack_recurrent(torch::nn::Module& rnn, int layers, bool bf16) {
  std::vector<RecurrentLayerWeights> out;
  const auto named = rnn.named_parameters();
  for (int l = 0; l < layers; ++l) {
    const std::string suffix = "_l" + std::to_string(l);
    RecurrentLayerWeights w;
    w.input = pack(named["weight_ih" + suffix].t(), bf16);
    w.hidden = pack(named["weight_hh" + suffix].t(), bf16);
    w.input_bias = to_vector(named["bias_ih" + suffix]);
    w.hidden_bias = to_vector(named["bias_hh" + suffix]);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

double SampleRnnWeights::macs_per_sample() const {
  double macs = static_cast<double>(mlp_hidden.macs() + mlp_output.macs());
  for (const auto& t : tiers) {
    double frame = static_cast<double>(t.input.macs() + t.upsample.macs());
    for (const auto& l : t.layers) frame += static_cast<double>(l.input.macs() + l.hidden.macs());
    macs += frame / t.frame_size;
  }
  if (!mel_conv.empty()) macs += static_cast<double>(mel_conv.macs() + mel_upsample.macs()) / hop;
  return macs;
}

double SampleRnnWeights::bytes_per_sample() const {
  double bytes = static_cast<double>(mlp_hidden.bytes() + mlp_output.bytes());
  for (const auto& t : tiers) {
    double frame = static_cast<double>(t.input.bytes() + t.upsample.bytes());
    for (const auto& l : t.layers) frame += static_cast<double>(l.input.bytes() + l.hidden.bytes());
    bytes += frame / t.frame_size;
  }
  if (!mel_conv.empty()) bytes += static_cast<double>(mel_conv.bytes() + mel_upsample.bytes()) / hop;
  return bytes;
}

SampleRnnWeights pack_samplernn_weights(SampleRnn& net, const std::string& precision) {
  const bool bf16 = bf16_precision(precision);
  torch::NoGradGuard no_grad;
  const ModelConfig& m = net->model();
  SampleRnnWeights w;
  w.model = m;
  w.dim = m.rnn_dim;
  w.mlp = m.mlp_dim;
  w.classes = m.quantize_channels;
  w.gates = net->lstm() ? 4 : 3;
  w.hop = net->hop_length();
  for (auto& tier : net->tiers) {
    FrameTierWeights t;
    t.frame_size = tier.frame_size;
    t.ratio = tier.ratio;
    t.next_dim = tier.next_dim;
    t.input = pack_linear(tier.input, bf16);
    t.input_bias = to_vector(tier.input->bias);
    torch::nn::Module& rnn = net->lstm() ? static_cast<torch::nn::Module&>(*tier.lstm) : *tier.gru;
    t.layers = pack_recurrent(rnn, m.rnn_layers, bf16);
    t.h0 = to_vector(tier.h0);
    if (net->lstm()) t.c0 = to_vector(tier.c0);
    t.upsample = pack_linear(tier.upsample, bf16);
    t.upsample_bias = to_vector(tier.upsample->bias);
    w.tiers.push_back(std::move(t));
  }
  if (net->mel_conv) {
    const torch::Tensor conv = net->mel_conv->weight;  // (dim, n_mels, kernel)
    w.n_mels = static_cast<int>(conv.size(1));
    w.mel_conv = pack(conv.permute({2, 1, 0}).reshape({-1, conv.size(0)}), false);
    w.mel_conv_bias = to_vector(net->mel_conv->bias);
    w.mel_upsample = pack_linear(net->mel_upsample, false);
    w.mel_upsample_bias = to_vector(net->mel_upsample->bias);
  }
  if (net->label_embedding) {
    w.n_labels = net->n_labels();
    w.label_table = to_vector(net->label_projection(net->label_embedding->weight));
  }
  const int FL = m.frame_sizes.back(), E = m.embedding_dim;
  const torch::Tensor input = net->mlp_input->weight.detach().cpu();  // (mlp, FL * E)
  const torch::Tensor embedding = net->sample_embedding->weight.detach().cpu();  // (classes, E)
  std::vector<torch::Tensor> tables;
  for (int p = 0; p < FL; ++p) tables.push_back(torch::mm(embedding, input.narrow(1, p * E, E).t()));
  w.sample_tables = to_vector(torch::stack(tables));
  w.mlp_hidden = pack_linear(net->mlp_hidden, bf16);
  w.mlp_hidden_bias = to_vector(net->mlp_hidden->bias);
  w.mlp_output = pack_linear(net->mlp_output, bf16);
  w.mlp_output_bias = to_vector(net->mlp_output->bias);
  return w;
}

}  // namespace wn
