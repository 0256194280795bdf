#include "nets/samplernn/engine/samplernn_engine.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <random>
#include <thread>

#include "core/kernels/column_split.h"
#include "core/spin_barrier.h"
#include "dataio/quantization.h"
#include "nets/outputs/step_sampler.h"

namespace wn {
namespace {

using Clock = std::chrono::steady_clock;

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// One call's inputs as plain arrays (the tensors kept alive here), checked once.
struct CallInputs {
  int B = 1;
  int64_t T = 0;
  int per_frame = 0;  // top-tier frames per mel frame; 0 without mels
  at::Tensor mel, labels, teacher;
  const float* mel_data = nullptr;
  int64_t mel_rows = 0;
  const int64_t* label_ids = nullptr;
  const float* teacher_data = nullptr;
  int64_t teacher_steps = 0;
  float* outputs = nullptr;  // (B, classes, T) or null
  std::vector<uint64_t> row_seeds;
  double temperature = 1.0;
  std::function<void(int64_t)> on_step;
};

CallInputs prepare_inputs(const SampleRnnWeights& w, const GenerationRequest& request, uint64_t seed, at::Tensor* outputs) {
  CallInputs in;
  in.B = static_cast<int>(request.mel.defined() ? request.mel.size(0) : request.batch);
  in.T = request.samples;
  TORCH_CHECK(request.seeds.empty() || static_cast<int>(request.seeds.size()) == in.B, "samplernn engine: ",
              request.seeds.size(), " seeds for a batch of ", in.B);
  TORCH_CHECK(!request.teacher.defined() || (request.teacher.size(0) == in.B && request.teacher.size(1) <= in.T),
              "samplernn engine: teacher audio must be (batch, at most samples)");
  if (request.mel.defined() && !w.mel_conv.empty()) {
    const int K = w.model.cond_kernel_size;
    in.mel = request.mel.to(at::kFloat).cpu().contiguous();
    TORCH_CHECK(in.mel.size(2) == w.n_mels, "samplernn engine: mel has ", in.mel.size(2), " bins, the model ", w.n_mels);
    TORCH_CHECK((in.mel.size(1) - K + 1) * w.hop >= in.T, "samplernn engine: the mel covers ",
                (in.mel.size(1) - K + 1) * w.hop, " samples but ", in.T, " were requested");
    in.mel_data = in.mel.data_ptr<float>();
    in.mel_rows = in.mel.size(1);
    in.per_frame = w.hop / w.tiers.front().frame_size;
  }
  if (request.labels.defined() && w.n_labels > 0) {
    in.labels = request.labels.to(at::kLong).cpu().contiguous();
    TORCH_CHECK(in.labels.numel() == in.B, "samplernn engine: ", in.labels.numel(), " labels for a batch of ", in.B);
    in.label_ids = in.labels.data_ptr<int64_t>();
    for (int b = 0; b < in.B; ++b) {
      TORCH_CHECK(in.label_ids[b] >= 0 && in.label_ids[b] < w.n_labels, "samplernn engine: label ", in.label_ids[b],
                  " of row ", b, " but the model knows ", w.n_labels);
    }
  }
  if (request.teacher.defined() && request.teacher.size(1) > 0) {
    in.teacher = request.teacher.to(at::kFloat).cpu().contiguous();
    in.teacher_data = in.teacher.data_ptr<float>();
    in.teacher_steps = in.teacher.size(1);
  }
  if (outputs) {
    *outputs = at::zeros({in.B, w.classes, in.T});
    in.outputs = outputs->data_ptr<float>();
  }
  for (int b = 0; b < in.B; ++b) in.row_seeds.push_back(request.seeds.empty() ? row_seed(seed, b) : row_seed(request.seeds[b], 0));
  in.temperature = request.temperature;
  in.on_step = request.on_step;
  return in;
}

// Buffers the team shares during one call. Row b of a buffer is at b * width. A thread writes
// only its own columns of a buffer, and reads other threads' columns after a barrier.
struct Shared {
  std::vector<std::vector<float>> hidden[2];  // [parity][tier * layers + layer]: B x dim
  std::vector<std::vector<float>> cell;       // [tier * layers + layer]: B x dim (LSTM; own units only)
  std::vector<int> parity;                    // current hidden buffer of each tier
  std::vector<std::vector<float>> tier_input; // per tier: B x dim
  std::vector<std::vector<float>> upsampled;  // per tier: B x ratio*next_dim
  std::vector<float> mel_frame, mel_up;       // B x dim, B x per_frame*dim
  std::vector<float> mlp_x, mlp_h, logits;    // B x mlp, B x mlp, B x classes
  double conditioning_seconds = 0, tier_seconds = 0, mlp_seconds = 0;  // thread 0's clock
};

Shared make_shared(const SampleRnnWeights& w, const CallInputs& in) {
  const int B = in.B, D = w.dim, L = w.model.rnn_layers;
  const auto tiers = w.tiers.size();
  Shared s;
  for (auto& buffers : s.hidden) buffers.resize(tiers * L);
  s.cell.resize(tiers * L);
  s.parity.assign(tiers, 0);
  for (std::size_t k = 0; k < tiers; ++k) {
    const FrameTierWeights& t = w.tiers[k];
    for (int l = 0; l < L; ++l) {
      std::vector<float> start(static_cast<std::size_t>(B) * D);  // every row starts from h0 (c0)
      for (int b = 0; b < B; ++b) std::copy_n(t.h0.data() + l * D, D, start.data() + b * D);
      s.hidden[0][k * L + l] = start;
      s.hidden[1][k * L + l] = start;
      if (w.gates == 4) {
        for (int b = 0; b < B; ++b) std::copy_n(t.c0.data() + l * D, D, start.data() + b * D);
        s.cell[k * L + l] = start;
      }
    }
    s.tier_input.emplace_back(static_cast<std::size_t>(B) * D, 0.0f);
    s.upsampled.emplace_back(static_cast<std::size_t>(B) * t.ratio * t.next_dim, 0.0f);
  }
  s.mel_frame.assign(static_cast<std::size_t>(B) * D, 0.0f);
  s.mel_up.assign(static_cast<std::size_t>(B) * std::max(1, in.per_frame) * D, 0.0f);
  s.mlp_x.assign(static_cast<std::size_t>(B) * w.mlp, 0.0f);
  s.mlp_h = s.mlp_x;
  s.logits.assign(static_cast<std::size_t>(B) * w.classes, 0.0f);
  return s;
}

StepSampler softmax_sampler(const ModelConfig& model, double temperature) {
  ModelConfig softmax = model;  // SampleRNN's output is always a softmax over the classes
  softmax.output = "softmax";
  return StepSampler(softmax, temperature);
}

// One thread of the team. Every thread runs every step (the same barriers in the same order);
// it computes its own columns of each product and keeps its own copy of the generated samples
// and of every row's random generator, so all threads sample the same classes without talking.
class TeamMember {
 public:
  TeamMember(const SampleRnnWeights& w, const kernels::KernelTable& kt, const CallInputs& in, Shared& s,
             SpinBarrier& barrier, int tid, int threads)
      : w_(w),
        kt_(kt),
        in_(in),
        s_(s),
        barrier_(barrier),
        tid_(tid),
        threads_(threads),
        sampler_(softmax_sampler(w.model, in.temperature)),
        quantization_(quantization_named(w.model.quantization)),
        history_(w.tiers.front().frame_size),
        length_(history_ + in.T),
        units_(kernels::thread_columns(w.dim, tid, threads)) {
    const int B = in.B, Q = w.classes;
    const int32_t silence = quantize_sample(0.0f, Q, quantization_);
    classes_.assign(static_cast<std::size_t>(B) * length_, silence);
    values_.assign(static_cast<std::size_t>(B) * length_, dequantize_sample(silence, Q, quantization_));
    gates_in_.assign(static_cast<std::size_t>(B) * w.gates * w.dim, 0.0f);
    gates_hidden_ = gates_in_;
    frame_.assign(static_cast<std::size_t>(B) * history_, 0.0f);
    scratch_.assign(static_cast<std::size_t>(Q), 0.0f);
    for (uint64_t seed : in.row_seeds) rngs_.emplace_back(seed);
  }

  // Generates every step; thread 0 returns the audio (B, T), the others an undefined tensor.
  at::Tensor run() {
    for (int64_t t = 0; t < in_.T; ++t) {
      const auto c_start = Clock::now();
      if (in_.mel_data && t % w_.hop == 0) step_mel(t / w_.hop);
      const auto t_start = Clock::now();
      for (std::size_t k = 0; k < w_.tiers.size(); ++k) {
        if (t % w_.tiers[k].frame_size == 0) step_tier(k, t);
      }
      const auto m_start = Clock::now();
      step_mlp(t);
      sample(t);
      if (tid_ == 0) {
        s_.conditioning_seconds += std::chrono::duration<double>(t_start - c_start).count();
        s_.tier_seconds += std::chrono::duration<double>(m_start - t_start).count();
        s_.mlp_seconds += std::chrono::duration<double>(Clock::now() - m_start).count();
        if (in_.on_step) in_.on_step(t + 1);
      }
    }
    if (tid_ != 0) return at::Tensor();
    at::Tensor audio = at::empty({in_.B, in_.T});
    for (int b = 0; b < in_.B; ++b) std::copy_n(values_.data() + b * length_ + history_, in_.T, audio[b].data_ptr<float>());
    return audio;
  }

 private:
  // y[:, n0:n1] = bias + x @ mat for every row (columns [n0, n1) only).
  void product(const float* x, int64_t x_stride, const PackedMatrix& mat, const float* bias, float* y, int64_t y_stride,
               int n0, int n1) const {
    if (n0 >= n1) return;
    kernels::MatmulArgs a;
    a.x = x;
    a.x_stride = x_stride;
    a.rows = in_.B;
    a.k = mat.k;
    a.w = mat.data();
    a.w_bf16 = mat.bf16;
    a.w_pairs = mat.pairs;
    a.w_stride = mat.n;
    a.bias = bias;
    a.y = y;
    a.y_stride = y_stride;
    a.n_begin = n0;
    a.n_end = n1;
    kt_.matmul(a);
  }

  // Mel frame f's conditioning of the top tier's frames (once per hop).
  void step_mel(int64_t f) {
    const int D = w_.dim;
    product(in_.mel_data + f * w_.n_mels, in_.mel_rows * w_.n_mels, w_.mel_conv, w_.mel_conv_bias.data(),
            s_.mel_frame.data(), D, units_.first, units_.second);
    barrier_.wait();
    const auto [c0, c1] = kernels::thread_columns(in_.per_frame * D, tid_, threads_);
    product(s_.mel_frame.data(), D, w_.mel_upsample, w_.mel_upsample_bias.data(), s_.mel_up.data(), in_.per_frame * D, c0, c1);
    barrier_.wait();
  }

  // One frame step of tier k: input projection + conditioning, the recurrent layers, upsampling.
  void step_tier(std::size_t k, int64_t t) {
    const FrameTierWeights& tw = w_.tiers[k];
    tier_input(k, t);
    barrier_.wait();
    const int parity = s_.parity[k];
    const int L = w_.model.rnn_layers;
    const float* layer_in = s_.tier_input[k].data();
    for (int l = 0; l < L; ++l) {
      float* h_next = s_.hidden[1 - parity][k * L + l].data();
      recurrent_layer(tw.layers[l], layer_in, s_.hidden[parity][k * L + l].data(), h_next,
                      w_.gates == 4 ? s_.cell[k * L + l].data() : nullptr);
      barrier_.wait();
      layer_in = h_next;
    }
    if (tid_ == 0) s_.parity[k] = 1 - parity;  // read again only after the next barrier
    const int width = tw.ratio * tw.next_dim;
    const auto [c0, c1] = kernels::thread_columns(width, tid_, threads_);
    product(layer_in, w_.dim, tw.upsample, tw.upsample_bias.data(), s_.upsampled[k].data(), width, c0, c1);
    barrier_.wait();
  }

  // Tier k's input for the frame starting at t: the previous frame's samples projected, plus the
  // tier above's conditioning (or the mel and label terms at the top).
  void tier_input(std::size_t k, int64_t t) {
    const FrameTierWeights& tw = w_.tiers[k];
    const int F = tw.frame_size, D = w_.dim;
    const auto [u0, u1] = units_;
    for (int b = 0; b < in_.B; ++b) std::copy_n(values_.data() + b * length_ + history_ + t - F, F, frame_.data() + b * F);
    float* in = s_.tier_input[k].data();
    product(frame_.data(), F, tw.input, tw.input_bias.data(), in, D, u0, u1);
    for (int b = 0; b < in_.B; ++b) {
      float* row = in + static_cast<std::size_t>(b) * D;
      const float* above = nullptr;
      if (k > 0) {
        const FrameTierWeights& up = w_.tiers[k - 1];
        above = s_.upsampled[k - 1].data() + (static_cast<std::size_t>(b) * up.ratio + (t / F) % up.ratio) * D;
      } else if (in_.mel_data) {
        above = s_.mel_up.data() + (static_cast<std::size_t>(b) * in_.per_frame + (t / F) % in_.per_frame) * D;
      }
      const float* label = k == 0 && in_.label_ids ? w_.label_table.data() + in_.label_ids[b] * D : nullptr;
      for (int u = u0; u < u1; ++u) row[u] += (above ? above[u] : 0.0f) + (label ? label[u] : 0.0f);
    }
  }

  // This thread's units of one GRU or LSTM layer step (torch's gate order: r, z, n / i, f, g, o).
  void recurrent_layer(const RecurrentLayerWeights& rw, const float* input, const float* h_prev, float* h_next, float* cell) {
    const int D = w_.dim, G = w_.gates;
    const auto [u0, u1] = units_;
    for (int g = 0; g < G; ++g) {
      product(input, D, rw.input, rw.input_bias.data(), gates_in_.data(), G * D, g * D + u0, g * D + u1);
      product(h_prev, D, rw.hidden, rw.hidden_bias.data(), gates_hidden_.data(), G * D, g * D + u0, g * D + u1);
    }
    for (int b = 0; b < in_.B; ++b) {
      const float* gi = gates_in_.data() + static_cast<std::size_t>(b) * G * D;
      const float* gh = gates_hidden_.data() + static_cast<std::size_t>(b) * G * D;
      const float* hp = h_prev + static_cast<std::size_t>(b) * D;
      float* hn = h_next + static_cast<std::size_t>(b) * D;
      if (cell) {
        float* c = cell + static_cast<std::size_t>(b) * D;
        for (int u = u0; u < u1; ++u) {
          const float i = sigmoid(gi[u] + gh[u]), f = sigmoid(gi[D + u] + gh[D + u]);
          const float g = std::tanh(gi[2 * D + u] + gh[2 * D + u]), o = sigmoid(gi[3 * D + u] + gh[3 * D + u]);
          c[u] = f * c[u] + i * g;
          hn[u] = o * std::tanh(c[u]);
        }
      } else {
        for (int u = u0; u < u1; ++u) {
          const float r = sigmoid(gi[u] + gh[u]), z = sigmoid(gi[D + u] + gh[D + u]);
          const float n = std::tanh(gi[2 * D + u] + r * gh[2 * D + u]);
          hn[u] = (1.0f - z) * n + z * hp[u];
        }
      }
    }
  }

  // The sample-level MLP: the previous frame's classes' table rows + the lowest tier's
  // conditioning, two ReLU layers, the output logits.
  void step_mlp(int64_t t) {
    const int M = w_.mlp, Q = w_.classes;
    const FrameTierWeights& lowest = w_.tiers.back();
    const int FL = lowest.frame_size;
    const auto [m0, m1] = kernels::thread_columns(M, tid_, threads_);
    for (int b = 0; b < in_.B; ++b) {
      float* x = s_.mlp_x.data() + static_cast<std::size_t>(b) * M;
      const float* cond = s_.upsampled.back().data() + (static_cast<std::size_t>(b) * lowest.ratio + t % FL) * M;
      const int32_t* previous = classes_.data() + b * length_ + history_ + t - FL;
      for (int c = m0; c < m1; ++c) x[c] = cond[c];
      for (int q = 0; q < FL; ++q) {
        const float* row = w_.sample_tables.data() + (static_cast<std::size_t>(q) * Q + previous[q]) * M;
        for (int c = m0; c < m1; ++c) x[c] += row[c];
      }
      for (int c = m0; c < m1; ++c) x[c] = std::max(x[c], 0.0f);
    }
    barrier_.wait();
    product(s_.mlp_x.data(), M, w_.mlp_hidden, w_.mlp_hidden_bias.data(), s_.mlp_h.data(), M, m0, m1);
    for (int b = 0; b < in_.B; ++b) {
      float* h = s_.mlp_h.data() + static_cast<std::size_t>(b) * M;
      for (int c = m0; c < m1; ++c) h[c] = std::max(h[c], 0.0f);
    }
    barrier_.wait();
    const auto [q0, q1] = kernels::thread_columns(Q, tid_, threads_);
    product(s_.mlp_h.data(), M, w_.mlp_output, w_.mlp_output_bias.data(), s_.logits.data(), Q, q0, q1);
    barrier_.wait();
  }

  // Every row's class at step t: the teacher's while it lasts, else sampled from the logits.
  void sample(int64_t t) {
    const int Q = w_.classes;
    for (int b = 0; b < in_.B; ++b) {
      const float* logits = s_.logits.data() + static_cast<std::size_t>(b) * Q;
      if (in_.outputs && tid_ == 0) {
        for (int c = 0; c < Q; ++c) in_.outputs[(static_cast<int64_t>(b) * Q + c) * in_.T + t] = logits[c];
      }
      const int32_t chosen = t < in_.teacher_steps
                                 ? quantize_sample(in_.teacher_data[b * in_.teacher_steps + t], Q, quantization_)
                                 : sampler_.sample_class(logits, rngs_[b], scratch_.data());
      classes_[b * length_ + history_ + t] = chosen;
      values_[b * length_ + history_ + t] = dequantize_sample(chosen, Q, quantization_);
    }
  }

  const SampleRnnWeights& w_;
  const kernels::KernelTable& kt_;
  const CallInputs& in_;
  Shared& s_;
  SpinBarrier& barrier_;
  const int tid_, threads_;
  const StepSampler sampler_;
  const Quantization quantization_;
  const int history_;
  const int64_t length_;             // history + T per row
  const std::pair<int, int> units_;  // this thread's columns of dim-wide products
  std::vector<int32_t> classes_;
  std::vector<float> values_;
  std::vector<float> gates_in_, gates_hidden_;  // B x gates*dim (own units' columns only)
  std::vector<float> frame_;                    // B x frame size
  std::vector<float> scratch_;
  std::vector<std::mt19937_64> rngs_;
};

// Every per-step matrix in the k-pair layout (bf16 ones; fp32 stay as they are).
void lay_out_in_k_pairs(SampleRnnWeights& w) {
  for (FrameTierWeights& tier : w.tiers) {
    tier.input = in_k_pairs(tier.input);
    tier.upsample = in_k_pairs(tier.upsample);
    for (RecurrentLayerWeights& layer : tier.layers) {
      layer.input = in_k_pairs(layer.input);
      layer.hidden = in_k_pairs(layer.hidden);
    }
  }
  w.mel_conv = in_k_pairs(w.mel_conv);
  w.mel_upsample = in_k_pairs(w.mel_upsample);
  w.mlp_hidden = in_k_pairs(w.mlp_hidden);
  w.mlp_output = in_k_pairs(w.mlp_output);
}

}  // namespace

SampleRnnEngine::SampleRnnEngine(SampleRnnWeights weights, const SampleRnnEngineOptions& options)
    : weights_(std::move(weights)), options_(options), kernels_(options.kernels ? options.kernels : &kernels::best_kernels()) {
  options_.threads = std::max(1, options_.threads);
  if (kernels_->bf16_pairs) lay_out_in_k_pairs(weights_);
}

GeneratorFacts SampleRnnEngine::facts() const {
  GeneratorFacts f;
  f.kernels = kernels_->name;
  f.precision = weights_.mlp_hidden.bf16 ? "bf16" : "fp32";
  f.threads = options_.threads;
  f.flops_per_sample = 2.0 * weights_.macs_per_sample();
  f.weight_bytes_per_step = static_cast<int64_t>(weights_.bytes_per_sample());
  return f;
}

at::Tensor SampleRnnEngine::generate(const GenerationRequest& request, uint64_t seed, at::Tensor* outputs,
                                     GenerationTimings* timings) {
  const CallInputs in = prepare_inputs(weights_, request, seed, outputs);
  Shared shared = make_shared(weights_, in);
  const int threads = options_.threads;
  SpinBarrier barrier(threads);
  std::vector<std::thread> team;
  for (int tid = 1; tid < threads; ++tid) {
    team.emplace_back([&, tid] { TeamMember(weights_, *kernels_, in, shared, barrier, tid, threads).run(); });
  }
  const at::Tensor audio = TeamMember(weights_, *kernels_, in, shared, barrier, 0, threads).run();
  for (auto& member : team) member.join();
  if (timings) {
    timings->conditioning_seconds = shared.conditioning_seconds;
    timings->layers_seconds = shared.tier_seconds;
    timings->output_seconds = shared.mlp_seconds;
  }
  return audio;
}

}  // namespace wn
