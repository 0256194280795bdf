#include "nets/samplernn/samplernn.h"

#include "core/errors.h"

namespace wn {

SampleRnnImpl::SampleRnnImpl(const ModelConfig& model, int n_mels, int hop_length, int n_labels)
    : model_(model), n_mels_(n_mels), hop_(hop_length), n_labels_(model.n_labels > 0 ? model.n_labels : n_labels) {
  if (model_.global_conditioning && n_labels_ < 1) {
    throw ConfigError("model.global_conditioning needs labels: set model.n_labels or preprocess "
                      "with data.label_source=folder|column");
  }
  reset();
}

void SampleRnnImpl::reset() {
  const ModelConfig& m = model_;
  const int dim = m.rnn_dim;
  // Learned initial states are parameters; fixed zeros are buffers (no gradient to average).
  auto initial_tensor = [&](const std::string& name) {
    const torch::Tensor zeros = torch::zeros({m.rnn_layers, dim});
    return m.learn_h0 ? register_parameter(name, zeros) : register_buffer(name, zeros);
  };
  tiers.clear();
  for (std::size_t k = 0; k < m.frame_sizes.size(); ++k) {
    const std::string name = "tiers_" + std::to_string(k) + "_";
    Tier t;
    t.frame_size = m.frame_sizes[k];
    const bool last = k + 1 == m.frame_sizes.size();
    t.ratio = last ? t.frame_size : t.frame_size / m.frame_sizes[k + 1];
    t.next_dim = last ? m.mlp_dim : dim;
    t.input = register_module(name + "input", torch::nn::Linear(t.frame_size, dim));
    if (lstm()) {
      t.lstm = register_module(name + "rnn", torch::nn::LSTM(torch::nn::LSTMOptions(dim, dim).num_layers(m.rnn_layers).batch_first(true)));
      t.c0 = initial_tensor(name + "c0");
    } else {
      t.gru = register_module(name + "rnn", torch::nn::GRU(torch::nn::GRUOptions(dim, dim).num_layers(m.rnn_layers).batch_first(true)));
    }
    t.h0 = initial_tensor(name + "h0");
    t.upsample = register_module(name + "upsample", torch::nn::Linear(dim, t.ratio * t.next_dim));
    tiers.push_back(t);
  }
  if (m.local_conditioning) {
    mel_conv = register_module("mel_conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(n_mels_, dim, m.cond_kernel_size)));
    mel_upsample = register_module("mel_upsample", torch::nn::Linear(dim, hop_ / m.frame_sizes.front() * dim));
  }
  if (m.global_conditioning) {
    label_embedding = register_module("label_embedding", torch::nn::Embedding(n_labels_, m.label_embedding));
    label_projection = register_module("label_projection", torch::nn::Linear(torch::nn::LinearOptions(m.label_embedding, dim).bias(false)));
  }
  sample_embedding = register_module("sample_embedding", torch::nn::Embedding(m.quantize_channels, m.embedding_dim));
  mlp_input = register_module(
      "mlp_input", torch::nn::Linear(torch::nn::LinearOptions(m.frame_sizes.back() * m.embedding_dim, m.mlp_dim).bias(false)));
  mlp_hidden = register_module("mlp_hidden", torch::nn::Linear(m.mlp_dim, m.mlp_dim));
  mlp_output = register_module("mlp_output", torch::nn::Linear(m.mlp_dim, m.quantize_channels));
}

SampleRnnState SampleRnnImpl::initial_state(int64_t batch) {
  SampleRnnState s;
  for (const Tier& t : tiers) {
    s.hidden.push_back(t.h0.unsqueeze(1).expand({-1, batch, -1}).contiguous());
    if (lstm()) s.cell.push_back(t.c0.unsqueeze(1).expand({-1, batch, -1}).contiguous());
  }
  return s;
}

torch::Tensor SampleRnnImpl::run_tier(std::size_t k, const torch::Tensor& input, torch::Tensor& hidden, torch::Tensor& cell) {
  Tier& t = tiers[k];
  if (lstm()) {
    auto [out, state] = t.lstm->forward(input, std::make_tuple(hidden, cell));
    hidden = std::get<0>(state);
    cell = std::get<1>(state);
    return out;
  }
  auto [out, h] = t.gru->forward(input, hidden);
  hidden = h;
  return out;
}

torch::Tensor SampleRnnImpl::top_conditioning(const torch::Tensor& mel, const torch::Tensor& labels, int64_t frames) {
  torch::Tensor c;
  if (model_.local_conditioning) {
    TORCH_CHECK(mel.defined(), "a mel-conditioned SampleRNN needs a mel input");
    const torch::Tensor conv = mel_conv(mel.transpose(1, 2)).transpose(1, 2);  // (B, mel frames, dim)
    c = mel_upsample(conv).reshape({mel.size(0), -1, model_.rnn_dim}).narrow(1, 0, frames);
  }
  if (model_.global_conditioning) {
    TORCH_CHECK(labels.defined(), "a label-conditioned SampleRNN needs labels");
    const torch::Tensor l = label_projection(label_embedding(labels)).unsqueeze(1);  // (B, 1, dim)
    c = c.defined() ? c + l : l;
  }
  return c;
}

torch::Tensor SampleRnnImpl::sample_logits(const torch::Tensor& previous_classes, const torch::Tensor& conditioning) {
  const torch::Tensor embedded = sample_embedding(previous_classes).flatten(2);  // (B, T, F_L * E)
  const torch::Tensor x = torch::relu(mlp_input(embedded) + conditioning);
  return mlp_output(torch::relu(mlp_hidden(x)));
}

torch::Tensor SampleRnnImpl::forward(const torch::Tensor& classes, const torch::Tensor& values, const torch::Tensor& mel,
                                     const torch::Tensor& labels, const torch::Tensor& reset, SampleRnnState& state) {
  const int64_t B = classes.size(0);
  const int64_t H = history();
  const int64_t T = classes.size(1) - H;
  TORCH_CHECK(T > 0 && T % H == 0, "SampleRNN: ", T, " samples after the history, not a multiple of the top frame ", H);
  SampleRnnState start = initial_state(B);
  if (state.defined() && state.hidden.front().size(1) == B) {
    const torch::Tensor keep = (~reset.to(torch::kBool)).to(start.hidden.front().device()).view({1, B, 1});
    for (std::size_t k = 0; k < tiers.size(); ++k) {
      start.hidden[k] = torch::where(keep, state.hidden[k], start.hidden[k]);
      if (lstm()) start.cell[k] = torch::where(keep, state.cell[k], start.cell[k]);
    }
  }
  torch::Tensor conditioning = top_conditioning(mel, labels, T / H);
  for (std::size_t k = 0; k < tiers.size(); ++k) {
    Tier& t = tiers[k];
    const int64_t F = t.frame_size, n = T / F;
    const torch::Tensor frames = values.narrow(1, H - F, n * F).reshape({B, n, F});
    torch::Tensor input = t.input(frames);
    if (conditioning.defined()) input = input + conditioning;
    torch::Tensor cell = lstm() ? start.cell[k] : torch::Tensor();
    const torch::Tensor out = run_tier(k, input, start.hidden[k], cell);
    if (lstm()) start.cell[k] = cell;
    conditioning = t.upsample(out).reshape({B, n * t.ratio, t.next_dim});
  }
  state = start;
  const int64_t FL = tiers.back().frame_size;
  const torch::Tensor previous = classes.narrow(1, H - FL, T + FL - 1).unfold(1, FL, 1);  // (B, T, F_L)
  return sample_logits(previous, conditioning);
}

}  // namespace wn
