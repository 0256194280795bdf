#include "nets/samplernn/engine/samplernn_engine.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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

// State and buffers shared by the team during one call. Row b of a buffer is at b * width.
struct Shared {
  int B = 0;
  std::vector<std::vector<float>> hidden[2];  // [parity][tier * layers + layer]: B x dim
  std::vector<std::vector<float>> cell;       // [tier * layers + layer]: B x dim (LSTM; own units only)
  std::vector<int> parity;                    // current buffer of each tier
  std::vector<std::vector<float>> tier_input; // per tier: B x dim
  std::vector<std::vector<float>> upsampled;  // per tier: B x ratio*next_dim
  std::vector<float> mel_frame, mel_up;       // B x dim, B x (hop / top frame) * dim
  std::vector<float> mlp_x, mlp_h, logits;    // B x mlp, B x mlp, B x classes
};

// What one thread keeps to itself.
struct Private {
  std::vector<int32_t> classes;  // B x (history + steps): every thread keeps the same copy
  std::vector<float> values;
  std::vector<float> gates_in, gates_hidden;  // B x gates*dim (own units' columns only)
  std::vector<float> frame;                   // B x frame size
  std::vector<float> scratch;
  std::vector<std::mt19937_64> rngs;          // identical copies on every thread
};

}  // namespace

SampleRnnEngine::SampleRnnEngine(SampleRnnWeights weights, const SampleRnnEngineOptions& options)
    : weights_(std::move(weights)), options_(options), kernels_(options.kernels ? options.kernels : &kernels::best_kernels()) {
  options_.threads = std::max(1, options_.threads);
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
  const SampleRnnWeights& w = weights_;
  const ModelConfig& m = w.model;
  const kernels::KernelTable& kt = *kernels_;
  const int B = static_cast<int>(request.mel.defined() ? request.mel.size(0) : request.batch);
  const int64_t T = request.samples;
  const int D = w.dim, M = w.mlp, Q = w.classes, G = w.gates, L = m.rnn_layers;
  const int tiers = static_cast<int>(w.tiers.size());
  const int H = w.tiers.front().frame_size, FL = w.tiers.back().frame_size;
  const int threads = options_.threads;
  const bool lstm = G == 4;
  const Quantization quantization = quantization_named(m.quantization);
  TORCH_CHECK(request.seeds.empty() || static_cast<int>(request.seeds.size()) == B, "samplernn engine: ",
              request.seeds.size(), " seeds for a batch of ", B);
  TORCH_CHECK(!request.teacher.defined() || (request.teacher.size(0) == B && request.teacher.size(1) <= T),
              "samplernn engine: teacher audio must be (batch, at most samples)");

  // Inputs as plain arrays.
  at::Tensor mel, labels, teacher;
  const bool use_mel = request.mel.defined() && !w.mel_conv.empty();
  const int K = m.cond_kernel_size, per_frame = use_mel ? w.hop / H : 0;
  if (use_mel) {
    mel = request.mel.to(at::kFloat).cpu().contiguous();
    TORCH_CHECK(mel.size(2) == w.n_mels, "samplernn engine: mel has ", mel.size(2), " bins, the model ", w.n_mels);
    TORCH_CHECK((mel.size(1) - K + 1) * w.hop >= T, "samplernn engine: the mel covers ", (mel.size(1) - K + 1) * w.hop,
                " samples but ", T, " were requested");
  }
  const bool use_labels = request.labels.defined() && w.n_labels > 0;
  if (use_labels) {
    labels = request.labels.to(at::kLong).cpu().contiguous();
    TORCH_CHECK(labels.numel() == B, "samplernn engine: ", labels.numel(), " labels for a batch of ", B);
    for (int b = 0; b < B; ++b) {
      const int64_t id = labels.data_ptr<int64_t>()[b];
      TORCH_CHECK(id >= 0 && id < w.n_labels, "samplernn engine: label ", id, " of row ", b, " but the model knows ", w.n_labels);
    }
  }
  const int64_t teacher_steps = request.teacher.defined() ? request.teacher.size(1) : 0;
  if (teacher_steps > 0) teacher = request.teacher.to(at::kFloat).cpu().contiguous();
  // Raw views of the inputs, so the per-sample loop makes no LibTorch call.
  const float* mel_data = use_mel ? mel.data_ptr<float>() : nullptr;
  const int64_t mel_rows = use_mel ? mel.size(1) : 0;
  const int64_t* label_ids = use_labels ? labels.data_ptr<int64_t>() : nullptr;
  const float* teacher_data = teacher_steps > 0 ? teacher.data_ptr<float>() : nullptr;
  float* outputs_out = nullptr;
  if (outputs) {
    *outputs = at::zeros({B, Q, T});
    outputs_out = outputs->data_ptr<float>();
  }

  Shared s;
  s.B = B;
  for (int p = 0; p < 2; ++p) s.hidden[p].resize(static_cast<std::size_t>(tiers) * L);
  s.cell.resize(static_cast<std::size_t>(tiers) * L);
  s.parity.assign(tiers, 0);
  for (int k = 0; k < tiers; ++k) {
    const FrameTierWeights& t = w.tiers[k];
    for (int l = 0; l < L; ++l) {
      std::vector<float> start(static_cast<std::size_t>(B) * D);
      for (int b = 0; b < B; ++b) std::copy_n(t.h0.data() + l * D, D, start.data() + b * D);
      s.hidden[0][k * L + l] = start;
      s.hidden[1][k * L + l] = start;
      if (lstm) {
        for (int b = 0; b < B; ++b) std::copy_n(t.c0.data() + l * D, D, start.data() + b * D);
        s.cell[k * L + l] = start;
      }
    }
    s.tier_input.emplace_back(static_cast<std::size_t>(B) * D, 0.0f);
    s.upsampled.emplace_back(static_cast<std::size_t>(B) * t.ratio * t.next_dim, 0.0f);
  }
  s.mel_frame.assign(static_cast<std::size_t>(B) * D, 0.0f);
  s.mel_up.assign(static_cast<std::size_t>(B) * std::max(1, per_frame) * D, 0.0f);
  s.mlp_x.assign(static_cast<std::size_t>(B) * M, 0.0f);
  s.mlp_h = s.mlp_x;
  s.logits.assign(static_cast<std::size_t>(B) * Q, 0.0f);

  ModelConfig softmax_model = m;  // SampleRNN's output is always a softmax over the classes
  softmax_model.output = "softmax";
  const StepSampler sampler(softmax_model, request.temperature);
  const int32_t silence = quantize_sample(0.0f, Q, quantization);
  SpinBarrier barrier(threads);
  double tier_seconds = 0, mlp_seconds = 0, cond_seconds = 0;

  auto product = [&](const float* x, int64_t x_stride, const PackedMatrix& mat, const float* bias, float* y, int64_t y_stride,
                     int n0, int n1) {
    if (n0 >= n1) return;
    kernels::MatmulArgs a;
    a.x = x;
    a.x_stride = x_stride;
    a.rows = B;
    a.k = mat.k;
    a.w = mat.data();
    a.w_bf16 = mat.bf16;
    a.w_stride = mat.n;
    a.bias = bias;
    a.y = y;
    a.y_stride = y_stride;
    a.n_begin = n0;
    a.n_end = n1;
    kt.matmul(a);
  };

  auto worker = [&](int tid) {
    Private p;
    const int64_t length = H + T;
    p.classes.assign(static_cast<std::size_t>(B) * length, silence);
    p.values.assign(static_cast<std::size_t>(B) * length, dequantize_sample(silence, Q, quantization));
    p.gates_in.assign(static_cast<std::size_t>(B) * G * D, 0.0f);
    p.gates_hidden = p.gates_in;
    p.frame.assign(static_cast<std::size_t>(B) * H, 0.0f);
    p.scratch.assign(static_cast<std::size_t>(Q), 0.0f);
    for (int b = 0; b < B; ++b) p.rngs.emplace_back(request.seeds.empty() ? row_seed(seed, b) : row_seed(request.seeds[b], 0));
    const auto [u0, u1] = kernels::thread_columns(D, tid, threads);
    const auto [m0, m1] = kernels::thread_columns(M, tid, threads);
    const auto [q0, q1] = kernels::thread_columns(Q, tid, threads);

    // One frame step of tier k: input projection + conditioning, the recurrent layers, upsampling.
    auto step_tier = [&](int k, int64_t t) {
      const FrameTierWeights& tw = w.tiers[k];
      const int F = tw.frame_size;
      for (int b = 0; b < B; ++b) std::copy_n(p.values.data() + b * length + H + t - F, F, p.frame.data() + b * F);
      float* in = s.tier_input[k].data();
      product(p.frame.data(), F, tw.input, tw.input_bias.data(), in, D, u0, u1);
      for (int b = 0; b < B; ++b) {
        float* row = in + static_cast<std::size_t>(b) * D;
        const float* above = nullptr;
        if (k > 0) {
          const FrameTierWeights& up = w.tiers[k - 1];
          above = s.upsampled[k - 1].data() + (static_cast<std::size_t>(b) * up.ratio + (t / F) % up.ratio) * D;
        } else if (use_mel) {
          above = s.mel_up.data() + (static_cast<std::size_t>(b) * per_frame + (t / H) % per_frame) * D;
        }
        const float* label = k == 0 && label_ids ? w.label_table.data() + label_ids[b] * D : nullptr;
        for (int u = u0; u < u1; ++u) row[u] += (above ? above[u] : 0.0f) + (label ? label[u] : 0.0f);
      }
      barrier.wait();
      const int parity = s.parity[k];
      const float* layer_in = in;
      for (int l = 0; l < L; ++l) {
        const RecurrentLayerWeights& rw = tw.layers[l];
        const float* h_prev = s.hidden[parity][k * L + l].data();
        float* h_next = s.hidden[1 - parity][k * L + l].data();
        for (int g = 0; g < G; ++g) {
          product(layer_in, D, rw.input, rw.input_bias.data(), p.gates_in.data(), G * D, g * D + u0, g * D + u1);
          product(h_prev, D, rw.hidden, rw.hidden_bias.data(), p.gates_hidden.data(), G * D, g * D + u0, g * D + u1);
        }
        for (int b = 0; b < B; ++b) {
          const float* gi = p.gates_in.data() + static_cast<std::size_t>(b) * G * D;
          const float* gh = p.gates_hidden.data() + static_cast<std::size_t>(b) * G * D;
          const float* hp = h_prev + static_cast<std::size_t>(b) * D;
          float* hn = h_next + static_cast<std::size_t>(b) * D;
          if (lstm) {
            float* c = s.cell[k * L + l].data() + static_cast<std::size_t>(b) * D;
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
        barrier.wait();
        layer_in = h_next;
      }
      if (tid == 0) s.parity[k] = 1 - parity;  // read again only after the next barrier
      const auto [c0, c1] = kernels::thread_columns(tw.ratio * tw.next_dim, tid, threads);
      product(layer_in, D, tw.upsample, tw.upsample_bias.data(), s.upsampled[k].data(), tw.ratio * tw.next_dim, c0, c1);
      barrier.wait();
    };

    // Mel frame f's conditioning of the top tier's frames (once per hop).
    auto step_mel = [&](int64_t f) {
      product(mel_data + f * w.n_mels, mel_rows * w.n_mels, w.mel_conv, w.mel_conv_bias.data(), s.mel_frame.data(),
              D, u0, u1);
      barrier.wait();
      const auto [c0, c1] = kernels::thread_columns(per_frame * D, tid, threads);
      product(s.mel_frame.data(), D, w.mel_upsample, w.mel_upsample_bias.data(), s.mel_up.data(), per_frame * D, c0, c1);
      barrier.wait();
    };

    const float* tables = w.sample_tables.data();
    const FrameTierWeights& lowest = w.tiers.back();
    for (int64_t t = 0; t < T; ++t) {
      const auto c_start = Clock::now();
      if (use_mel && t % w.hop == 0) step_mel(t / w.hop);
      const auto t_start = Clock::now();
      for (int k = 0; k < tiers; ++k) {
        if (t % w.tiers[k].frame_size == 0) step_tier(k, t);
      }
      const auto m_start = Clock::now();
      // Sample-level MLP: the previous FL classes' table rows + the lowest tier's conditioning.
      for (int b = 0; b < B; ++b) {
        float* x = s.mlp_x.data() + static_cast<std::size_t>(b) * M;
        const float* cond = s.upsampled[tiers - 1].data() + (static_cast<std::size_t>(b) * lowest.ratio + t % FL) * M;
        const int32_t* previous = p.classes.data() + b * length + H + t - FL;
        for (int c = m0; c < m1; ++c) x[c] = cond[c];
        for (int q = 0; q < FL; ++q) {
          const float* row = tables + (static_cast<std::size_t>(q) * Q + previous[q]) * M;
          for (int c = m0; c < m1; ++c) x[c] += row[c];
        }
        for (int c = m0; c < m1; ++c) x[c] = std::max(x[c], 0.0f);
      }
      barrier.wait();
      product(s.mlp_x.data(), M, w.mlp_hidden, w.mlp_hidden_bias.data(), s.mlp_h.data(), M, m0, m1);
      for (int b = 0; b < B; ++b) {
        float* h = s.mlp_h.data() + static_cast<std::size_t>(b) * M;
        for (int c = m0; c < m1; ++c) h[c] = std::max(h[c], 0.0f);
      }
      barrier.wait();
      product(s.mlp_h.data(), M, w.mlp_output, w.mlp_output_bias.data(), s.logits.data(), Q, q0, q1);
      barrier.wait();
      for (int b = 0; b < B; ++b) {
        const float* logits = s.logits.data() + static_cast<std::size_t>(b) * Q;
        if (outputs_out && tid == 0) {
          for (int c = 0; c < Q; ++c) outputs_out[(static_cast<int64_t>(b) * Q + c) * T + t] = logits[c];
        }
        const int32_t chosen = t < teacher_steps ? quantize_sample(teacher_data[b * teacher_steps + t], Q, quantization)
                                                 : sampler.sample_class(logits, p.rngs[b], p.scratch.data());
        p.classes[b * length + H + t] = chosen;
        p.values[b * length + H + t] = dequantize_sample(chosen, Q, quantization);
      }
      if (tid == 0) {
        const auto end = Clock::now();
        cond_seconds += std::chrono::duration<double>(t_start - c_start).count();
        tier_seconds += std::chrono::duration<double>(m_start - t_start).count();
        mlp_seconds += std::chrono::duration<double>(end - m_start).count();
        if (request.on_step) request.on_step(t + 1);
      }
    }
    if (tid == 0) {
      at::Tensor audio = at::empty({B, T});
      for (int b = 0; b < B; ++b) std::copy_n(p.values.data() + b * length + H, T, audio[b].data_ptr<float>());
      return audio;
    }
    return at::Tensor();
  };

  std::vector<std::thread> team;
  for (int tid = 1; tid < threads; ++tid) team.emplace_back([&worker, tid] { worker(tid); });
  const at::Tensor audio = worker(0);
  for (auto& th : team) th.join();
  if (timings) {
    timings->conditioning_seconds = cond_seconds;
    timings->layers_seconds = tier_seconds;
    timings->output_seconds = mlp_seconds;
  }
  return audio;
}

}  // namespace wn
