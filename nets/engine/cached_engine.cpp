#include "nets/engine/cached_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "core/spin_barrier.h"
#include "dataio/mulaw.h"
#include "nets/engine/engine_sampling.h"

namespace wn {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kAlign = 16;  // split columns on 16-float boundaries so SIMD blocks stay whole

// Thread `tid` of `threads` takes columns [begin, end) of n.
std::pair<int, int> split_columns(int n, int tid, int threads) {
  const int blocks = (n + kAlign - 1) / kAlign;
  const int begin = std::min(n, blocks * tid / threads * kAlign);
  const int end = std::min(n, blocks * (tid + 1) / threads * kAlign);
  return {begin, end};
}

uint64_t row_seed(uint64_t seed, int64_t row) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(row + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Every buffer of one generation call, allocated before the loop.
struct Workspace {
  int batch, residual, gate, half, skip, out, layers, chunk;
  int64_t steps;
  std::vector<float> x, x_next;            // B x R: current layer input
  std::vector<std::vector<float>> rings;   // per layer: B x span x R
  std::vector<int> spans;
  std::vector<std::vector<float>> cond;    // per layer: B x chunk x gate (becomes h in place)
  std::vector<float> gated;                // B x (layers*half)
  std::vector<float> skip_sum, post, out_row;  // B x skip, B x skip, B x out
  std::vector<float> scratch;              // sampler scratch, out floats
  std::vector<float> global_terms;         // per layer: B x gate
};

}  // namespace

CachedEngine::CachedEngine(WaveNet net, const EngineOptions& options)
    : net_(std::move(net)),
      options_(options),
      weights_(pack_engine_weights(net_, options.precision)),
      kernels_(options.kernels ? options.kernels : &kernels::best_kernels()) {
  options_.threads = std::max(1, options_.threads);
  options_.chunk = std::max(1, options_.chunk);
}

torch::Tensor CachedEngine::generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs,
                                     EngineTimings* timings) {
  const EngineWeights& w = weights_;
  const ModelConfig& m = w.model;
  const kernels::KernelTable& kt = *kernels_;
  const auto prep_start = Clock::now();

  // Once per utterance, with LibTorch: upsampled mel (B, T, n_mels) and label embeddings.
  torch::Tensor upsampled, embedded;
  {
    torch::NoGradGuard no_grad;
    if (request.mel.defined() && m.local_conditioning) {
      upsampled = net_->upsample(request.mel.to(torch::kFloat).cpu()).transpose(1, 2).contiguous();
    }
    if (request.labels.defined() && m.global_conditioning) {
      embedded = net_->embed_labels(request.labels.cpu()).contiguous();
    }
  }
  Workspace ws;
  ws.batch = static_cast<int>(request.mel.defined() ? request.mel.size(0) : request.batch);
  ws.residual = w.residual;
  ws.gate = w.gate;
  ws.half = w.half;
  ws.skip = w.skip;
  ws.out = w.out_channels;
  ws.layers = static_cast<int>(w.layers.size());
  ws.steps = request.samples;
  ws.chunk = static_cast<int>(std::min<int64_t>(options_.chunk, std::max<int64_t>(1, ws.steps)));
  const int B = ws.batch, R = ws.residual, G = ws.gate, H = ws.half, L = ws.layers;
  ws.x.assign(static_cast<std::size_t>(B * R), 0.0f);
  ws.x_next.assign(ws.x.size(), 0.0f);
  for (const auto& layer : w.layers) {
    const int span = (m.kernel_size - 1) * layer.dilation;
    ws.spans.push_back(span);
    ws.rings.emplace_back(static_cast<std::size_t>(B) * span * R, 0.0f);
    ws.cond.emplace_back(static_cast<std::size_t>(B) * ws.chunk * G, 0.0f);
  }
  ws.gated.assign(static_cast<std::size_t>(B) * L * H, 0.0f);
  ws.skip_sum.assign(static_cast<std::size_t>(B) * ws.skip, 0.0f);
  ws.post.assign(ws.skip_sum.size(), 0.0f);
  ws.out_row.assign(static_cast<std::size_t>(B) * ws.out, 0.0f);
  ws.scratch.assign(static_cast<std::size_t>(ws.out), 0.0f);
  if (embedded.defined()) {
    // Label term of every layer, folded into the conditioning precompute.
    ws.global_terms.assign(static_cast<std::size_t>(L) * B * G, 0.0f);
    for (int l = 0; l < L; ++l) {
      if (w.layers[l].global.empty()) continue;
      kernels::MatmulArgs a;
      a.x = embedded.data_ptr<float>();
      a.x_stride = embedded.size(1);
      a.rows = B;
      a.k = w.layers[l].global.k;
      a.w = w.layers[l].global.data();
      a.w_stride = G;
      a.y = ws.global_terms.data() + static_cast<std::size_t>(l) * B * G;
      a.y_stride = G;
      a.n_end = G;
      kt.matmul(a);
    }
  }

  torch::Tensor audio = torch::zeros({B, ws.steps});
  float* audio_out = audio.data_ptr<float>();
  float* outputs_out = nullptr;
  if (outputs) {
    *outputs = torch::zeros({B, ws.out, ws.steps});
    outputs_out = outputs->data_ptr<float>();
  }
  const float* teacher = nullptr;
  torch::Tensor teacher_cpu;
  if (request.teacher.defined()) {
    teacher_cpu = request.teacher.to(torch::kFloat).cpu().contiguous();
    teacher = teacher_cpu.data_ptr<float>();
  }
  const float* up = upsampled.defined() ? upsampled.data_ptr<float>() : nullptr;
  const int64_t T = ws.steps;
  const StepSampler sampler(m, request.temperature);
  std::vector<std::mt19937_64> rngs;
  for (int b = 0; b < B; ++b) rngs.emplace_back(row_seed(seed, b));
  const bool mulaw_input = m.input == "mulaw";
  const int classes = m.quantize_channels;
  const float half_root = std::sqrt(0.5f);

  // Input layer: x = first-conv column of the previous sample (mu-law) or w * sample + b (raw).
  auto set_input = [&](float* x, float previous) {
    const float* column = mulaw_input ? w.input_table.data() + static_cast<std::size_t>(mulaw_encode(previous, classes - 1)) * R
                                      : w.input_table.data();
    for (int r = 0; r < R; ++r) x[r] = (mulaw_input ? column[r] : column[r] * previous) + w.input_bias[r];
  };
  for (int b = 0; b < B; ++b) set_input(ws.x.data() + static_cast<std::size_t>(b) * R, 0.0f);  // silence first
  const double prep_seconds = std::chrono::duration<double>(Clock::now() - prep_start).count();

  const int threads = options_.threads;
  SpinBarrier barrier(threads);
  double cond_seconds = 0, layer_seconds = 0, output_seconds = 0;

  auto worker = [&](int tid) {
    const auto [h0, h1] = split_columns(H, tid, threads);
    const auto [r0, r1] = split_columns(R, tid, threads);
    const auto [s0, s1] = split_columns(ws.skip, tid, threads);
    const auto [o0, o1] = split_columns(ws.out, tid, threads);
    const auto [g0, g1] = split_columns(G, tid, threads);
    float* x = ws.x.data();
    float* x_next = ws.x_next.data();
    for (int64_t t = 0; t < T; ++t) {
      const int slot_in_chunk = static_cast<int>(t % ws.chunk);
      if (slot_in_chunk == 0) {
        const auto c_start = Clock::now();
        // Conditioning of the next chunk for every layer: bias + local projection + label term.
        const int rows = static_cast<int>(std::min<int64_t>(ws.chunk, T - t));
        for (int l = 0; l < L; ++l) {
          const EngineLayer& layer = w.layers[l];
          for (int b = 0; b < B; ++b) {
            float* cond = ws.cond[l].data() + static_cast<std::size_t>(b) * ws.chunk * G;
            kernels::MatmulArgs a;
            a.rows = rows;
            a.y = cond;
            a.y_stride = G;
            a.n_begin = g0;
            a.n_end = g1;
            a.bias = layer.taps_bias.data();
            if (up && !layer.local.empty()) {
              a.x = up + (static_cast<int64_t>(b) * T + t) * w.n_mels;
              a.x_stride = w.n_mels;
              a.k = layer.local.k;
              a.w = layer.local.data();
              a.w_stride = G;
              kt.matmul(a);
            } else {
              for (int r = 0; r < rows; ++r) std::copy(layer.taps_bias.begin() + g0, layer.taps_bias.begin() + g1, cond + r * G + g0);
            }
            if (!ws.global_terms.empty()) {
              const float* term = ws.global_terms.data() + (static_cast<std::size_t>(l) * B + b) * G;
              for (int r = 0; r < rows; ++r) {
                for (int c = g0; c < g1; ++c) cond[r * G + c] += term[c];
              }
            }
          }
        }
        barrier.wait();
        if (tid == 0) cond_seconds += std::chrono::duration<double>(Clock::now() - c_start).count();
      }

      const auto l_start = Clock::now();
      for (int l = 0; l < L; ++l) {
        const EngineLayer& layer = w.layers[l];
        const int span = ws.spans[l];
        float* ring = ws.rings[l].data();
        float* h = ws.cond[l].data() + static_cast<std::size_t>(slot_in_chunk) * G;  // row b at + b*chunk*G
        // Dilated conv: one accumulate pass per tap (oldest first), into this step's cond row.
        for (int j = 0; j < m.kernel_size; ++j) {
          kernels::MatmulArgs a;
          const int back = (m.kernel_size - 1 - j) * layer.dilation;  // how far in the past
          if (back == 0) {
            a.x = x;
            a.x_stride = R;
          } else {
            const int64_t slot = ((t - back) % span + span) % span;
            a.x = ring + slot * R;
            a.x_stride = static_cast<int64_t>(span) * R;
          }
          a.rows = B;
          a.k = R;
          a.w = layer.taps.bf16 ? static_cast<const void*>(layer.taps.b16.data() + static_cast<std::size_t>(j) * R * G)
                                : static_cast<const void*>(layer.taps.f32.data() + static_cast<std::size_t>(j) * R * G);
          a.w_bf16 = layer.taps.bf16;
          a.w_stride = G;
          a.y = h;
          a.y_stride = static_cast<int64_t>(ws.chunk) * G;
          a.accumulate = true;
          a.n_begin = h0;
          a.n_end = h1;
          kt.matmul(a);
          a.n_begin = H + h0;
          a.n_end = H + h1;
          kt.matmul(a);
        }
        for (int b = 0; b < B; ++b) {
          const float* hb = h + static_cast<std::size_t>(b) * ws.chunk * G;
          kt.gate(hb + h0, hb + H + h0, ws.gated.data() + (static_cast<std::size_t>(b) * L + l) * H + h0, h1 - h0);
        }
        barrier.wait();
        // Remember this layer's input for future taps, then the residual update.
        if (span > 0) {
          for (int b = 0; b < B; ++b) {
            std::copy(x + b * R + r0, x + b * R + r1, ring + (static_cast<int64_t>(b) * span + t % span) * R + r0);
          }
        }
        if (!layer.residual.empty()) {
          kernels::MatmulArgs a;
          a.x = ws.gated.data() + static_cast<std::size_t>(l) * H;
          a.x_stride = static_cast<int64_t>(L) * H;
          a.rows = B;
          a.k = H;
          a.w = layer.residual.data();
          a.w_bf16 = layer.residual.bf16;
          a.w_stride = R;
          a.bias = layer.residual_bias.data();
          a.y = x_next;
          a.y_stride = R;
          a.n_begin = r0;
          a.n_end = r1;
          kt.matmul(a);
          for (int b = 0; b < B; ++b) {
            for (int r = r0; r < r1; ++r) x_next[b * R + r] = (x[b * R + r] + x_next[b * R + r]) * half_root;
          }
          std::swap(x, x_next);
        }
        barrier.wait();
      }
      const auto o_start = Clock::now();
      if (tid == 0) layer_seconds += std::chrono::duration<double>(o_start - l_start).count();

      // Skip sum of all layers in one product, then ReLU, 1x1, ReLU, 1x1.
      kernels::MatmulArgs a;
      a.x = ws.gated.data();
      a.x_stride = static_cast<int64_t>(L) * H;
      a.rows = B;
      a.k = L * H;
      a.w = w.skip_all.data();
      a.w_bf16 = w.skip_all.bf16;
      a.w_stride = ws.skip;
      a.bias = w.skip_bias.data();
      a.y = ws.skip_sum.data();
      a.y_stride = ws.skip;
      a.n_begin = s0;
      a.n_end = s1;
      kt.matmul(a);
      for (int b = 0; b < B; ++b) {
        for (int c = s0; c < s1; ++c) ws.skip_sum[b * ws.skip + c] = std::max(0.0f, ws.skip_sum[b * ws.skip + c]);
      }
      barrier.wait();
      a.x = ws.skip_sum.data();
      a.x_stride = ws.skip;
      a.k = ws.skip;
      a.w = w.post_skip.data();
      a.w_bf16 = w.post_skip.bf16;
      a.bias = w.post_skip_bias.data();
      a.y = ws.post.data();
      kt.matmul(a);
      for (int b = 0; b < B; ++b) {
        for (int c = s0; c < s1; ++c) ws.post[b * ws.skip + c] = std::max(0.0f, ws.post[b * ws.skip + c]);
      }
      barrier.wait();
      a.x = ws.post.data();
      a.w = w.post_output.data();
      a.w_bf16 = w.post_output.bf16;
      a.w_stride = ws.out;
      a.bias = w.post_output_bias.data();
      a.y = ws.out_row.data();
      a.y_stride = ws.out;
      a.n_begin = o0;
      a.n_end = o1;
      kt.matmul(a);
      barrier.wait();
      if (tid == 0) {
        for (int b = 0; b < B; ++b) {
          const float* out = ws.out_row.data() + static_cast<std::size_t>(b) * ws.out;
          if (outputs_out) {
            for (int c = 0; c < ws.out; ++c) outputs_out[(static_cast<int64_t>(b) * ws.out + c) * T + t] = out[c];
          }
          const float sample = teacher ? teacher[b * T + t] : sampler.sample(out, rngs[b], ws.scratch.data());
          audio_out[b * T + t] = sample;
        }
        // The next step's input layer reads the sample just produced. Every thread swapped its
        // x/x_next pointers identically, so thread 0's x is everyone's x.
        for (int b = 0; b < B; ++b) set_input(x + static_cast<std::size_t>(b) * R, audio_out[b * T + t]);
        output_seconds += std::chrono::duration<double>(Clock::now() - o_start).count();
        if (request.on_step) request.on_step(t + 1);
      }
      barrier.wait();
    }
  };

  std::vector<std::thread> team;
  for (int tid = 1; tid < threads; ++tid) team.emplace_back(worker, tid);
  worker(0);
  for (auto& th : team) th.join();
  if (timings) {
    timings->conditioning_seconds = prep_seconds + cond_seconds;
    timings->layers_seconds = layer_seconds;
    timings->output_seconds = output_seconds;
  }
  return audio;
}

}  // namespace wn
