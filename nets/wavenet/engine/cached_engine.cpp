#include "nets/wavenet/engine/cached_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "core/kernels/column_split.h"
#include "core/spin_barrier.h"
#include "dataio/quantization.h"
#include "nets/outputs/step_sampler.h"

namespace wn {
namespace {

using Clock = std::chrono::steady_clock;

// Gate columns grouped by thread: thread t's tanh columns [h0, h1) and sigmoid columns
// [H+h0, H+h1) side by side at [2*h0, 2*h1), so its share of each layer is one product over
// twice as many columns (wider register blocks) instead of two narrow ones.
void group_gate_columns_by_thread(EngineWeights& w, int threads) {
  const int H = w.half, G = w.gate;
  std::vector<int> source(static_cast<std::size_t>(G));  // new column -> old column
  for (int tid = 0; tid < threads; ++tid) {
    const auto [h0, h1] = kernels::thread_columns(H, tid, threads);
    for (int c = h0; c < h1; ++c) {
      source[2 * h0 + (c - h0)] = c;
      source[2 * h0 + (h1 - h0) + (c - h0)] = H + c;
    }
  }
  auto permute = [&](auto& values, int rows) {
    auto old = values;
    for (int r = 0; r < rows; ++r) {
      for (int j = 0; j < G; ++j) values[static_cast<std::size_t>(r) * G + j] = old[static_cast<std::size_t>(r) * G + source[j]];
    }
  };
  auto permute_matrix = [&](PackedMatrix& m) {
    if (m.empty()) return;
    if (m.bf16) permute(m.b16, m.k);
    else permute(m.f32, m.k);
  };
  for (EngineLayer& layer : w.layers) {
    permute_matrix(layer.taps);
    permute_matrix(layer.local);
    permute_matrix(layer.global);
    permute(layer.taps_bias, 1);
  }
}

// Rows of the weight view's label table, (B, label_dim).
torch::Tensor embed_labels(const EngineWeights& w, const torch::Tensor& labels) {
  const torch::Tensor ids = labels.to(torch::kLong).cpu().contiguous();
  torch::Tensor out = torch::empty({ids.size(0), w.label_dim});
  for (int64_t b = 0; b < ids.size(0); ++b) {
    const int64_t id = ids.data_ptr<int64_t>()[b];
    TORCH_CHECK(id >= 0 && id < w.n_labels, "engine: label ", id, " of row ", b, " but the model knows ", w.n_labels);
    std::copy_n(w.label_table.data() + id * w.label_dim, w.label_dim, out[b].data_ptr<float>());
  }
  return out;
}


// (B, F, n_mels): every row's input of the upsampler's last stage, zero after the row's own F_b
// rows. Each row is upsampled on its own frames (the padding after a short row never reaches its
// smoothing filters) with the engine's fixed-order upsampler; the last stage runs per chunk,
// after the conditioning projection (see the chunk loop).
torch::Tensor last_stage_rows(const EngineUpsampler& upsampler, const torch::Tensor& mel, const std::vector<int64_t>& frames,
                              int64_t samples) {
  const int64_t B = mel.size(0), M = mel.size(2);
  TORCH_CHECK(M == upsampler.n_mels, "engine: mel has ", M, " bins, the model ", upsampler.n_mels);
  TORCH_CHECK(frames.empty() || static_cast<int64_t>(frames.size()) == B, "engine: ", frames.size(), " mel lengths for a batch of ", B);
  const torch::Tensor input = mel.to(torch::kFloat).cpu().contiguous();
  std::vector<std::vector<float>> rows;
  int64_t longest = 0;
  for (int64_t b = 0; b < B; ++b) {
    const int64_t own = frames.empty() ? mel.size(1) : frames[b];
    TORCH_CHECK(own >= upsampler.kernel && own <= mel.size(1), "engine: row ", b, " has ", own, " of ", mel.size(1), " mel frames");
    rows.push_back(upsampler.upsample_to_last_stage(input[b].data_ptr<float>(), own));
    const int64_t length = static_cast<int64_t>(rows.back().size()) / M;
    TORCH_CHECK(!frames.empty() || length * upsampler.last_scale() >= samples, "engine: the mel covers ",
                length * upsampler.last_scale(), " samples but ", samples, " were requested");
    longest = std::max(longest, length);
  }
  torch::Tensor out = torch::zeros({B, longest, M});
  for (int64_t b = 0; b < B; ++b) std::copy(rows[b].begin(), rows[b].end(), out[b].data_ptr<float>());
  return out;
}

// Shared buffers of one generation call, allocated before the loop.
struct Workspace {
  int batch, residual, gate, half, skip, out, layers, chunk, threads;
  int64_t steps;
  std::vector<std::vector<float>> rings;   // per layer: B x span x R (columns written by their owner)
  std::vector<int> spans;
  std::vector<std::vector<float>> cond;    // per layer: B x chunk x gate (becomes h in place)
  std::vector<float> gated;                // B x (layers*half)
  std::vector<float> skip_partials;        // [parity][thread]: B x skip partial skip sums
  std::vector<float> global_terms;         // per layer: B x gate
};

// What each thread keeps to itself: the residual stream is recomputed by every thread (it is
// small), so layers need one barrier each instead of two.
struct ThreadBuffers {
  std::vector<float> x, residual_out, taps;  // B x R, B x R, B x (kernel*R)
  std::vector<float> skip_sum, post, out;    // B x skip, B x skip, B x out
  std::vector<float> scratch;                // sampler
  std::vector<float> projected;              // a chunk's last-stage rows x gate, then a zero row
  std::vector<std::mt19937_64> rngs;         // identical copies on every thread
};

}  // namespace

CachedEngine::CachedEngine(WaveNet& net, const EngineOptions& options)
    : CachedEngine(pack_engine_weights(net, options.precision), pack_engine_upsampler(net), options) {}

CachedEngine::CachedEngine(EngineWeights weights, EngineUpsampler upsampler, const EngineOptions& options)
    : options_(options),
      weights_(std::move(weights)),
      upsampler_(std::move(upsampler)),
      kernels_(options.kernels ? options.kernels : &kernels::best_kernels()) {
  options_.threads = std::max(1, options_.threads);
  options_.chunk = std::max(1, options_.chunk);
  group_gate_columns_by_thread(weights_, options_.threads);
}

torch::Tensor CachedEngine::generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs,
                                     GenerationTimings* timings) {
  const EngineWeights& w = weights_;
  const ModelConfig& m = w.model;
  const kernels::KernelTable& kt = *kernels_;
  const auto prep_start = Clock::now();

  // Once per call: the mel upsampled up to the last stage (B, F, n_mels), label embeddings.
  torch::Tensor stage_in, embedded;
  {
    torch::NoGradGuard no_grad;
    if (request.mel.defined() && m.local_conditioning) {
      stage_in = last_stage_rows(upsampler_, request.mel, request.mel_frames, request.samples);
    }
    if (request.labels.defined() && m.global_conditioning) embedded = embed_labels(w, request.labels);
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
  ws.threads = options_.threads;
  ws.chunk = static_cast<int>(std::min<int64_t>(options_.chunk, std::max<int64_t>(1, ws.steps)));
  const int B = ws.batch, R = ws.residual, G = ws.gate, H = ws.half, L = ws.layers, S = ws.skip;
  TORCH_CHECK(request.seeds.empty() || static_cast<int>(request.seeds.size()) == B, "engine: ", request.seeds.size(),
              " seeds for a batch of ", B);
  TORCH_CHECK(!embedded.defined() || embedded.size(0) == B, "engine: ", embedded.size(0), " labels for a batch of ", B);
  TORCH_CHECK(!request.teacher.defined() || (request.teacher.size(0) == B && request.teacher.size(1) <= ws.steps),
              "engine: teacher audio must be (batch, at most samples)");
  const int K = m.kernel_size, threads = ws.threads;
  for (const auto& layer : w.layers) {
    const int span = (K - 1) * layer.dilation;
    ws.spans.push_back(span);
    ws.rings.emplace_back(static_cast<std::size_t>(B) * span * R, 0.0f);
    ws.cond.emplace_back(static_cast<std::size_t>(B) * ws.chunk * G, 0.0f);
  }
  ws.gated.assign(static_cast<std::size_t>(B) * L * H, 0.0f);
  ws.skip_partials.assign(static_cast<std::size_t>(2) * threads * B * S, 0.0f);
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
  const float* teacher = nullptr;  // (B, teacher_steps)
  int64_t teacher_steps = 0;
  torch::Tensor teacher_cpu;
  if (request.teacher.defined()) {
    teacher_cpu = request.teacher.to(torch::kFloat).cpu().contiguous();
    teacher = teacher_cpu.data_ptr<float>();
    teacher_steps = teacher_cpu.size(1);
  }
  // Conditioning: the last upsampling stage is linear and the same for every mel bin, so it
  // commutes with each layer's projection: project the stage's input rows (s times fewer than
  // samples), then interpolate the projections with the stage's polyphase taps.
  const float* stage_rows = stage_in.defined() ? stage_in.data_ptr<float>() : nullptr;
  const int64_t F = stage_in.defined() ? stage_in.size(1) : 0;
  const int scale = stage_in.defined() ? upsampler_.last_scale() : 1;
  const std::vector<float> phase_taps = stage_in.defined() ? upsampler_.last_stage_taps() : std::vector<float>();
  // Rows a chunk reads: at most chunk / scale + 2 for its own samples (one more when the chunk
  // straddles a row boundary), plus one either side; then comes a zero row.
  const int projected_rows = ws.chunk / scale + 4;
  const int64_t T = ws.steps;
  const StepSampler sampler(m, request.temperature);
  const bool quantized_input = m.input == "mulaw";
  const int classes = m.quantize_channels;
  const Quantization quantization = quantization_named(m.quantization);
  const float half_root = std::sqrt(0.5f);

  // Input layer: x = first-conv column of the previous sample's class (input=mulaw, quantized
  // as model.quantization says) or w * sample + b (raw).
  auto set_input = [&](float* x, float previous) {
    const float* column = quantized_input
                              ? w.input_table.data() + static_cast<std::size_t>(quantize_sample(previous, classes, quantization)) * R
                              : w.input_table.data();
    for (int r = 0; r < R; ++r) x[r] = (quantized_input ? column[r] : column[r] * previous) + w.input_bias[r];
  };
  std::vector<ThreadBuffers> buffers(static_cast<std::size_t>(threads));
  for (auto& tb : buffers) {
    tb.x.assign(static_cast<std::size_t>(B) * R, 0.0f);
    tb.residual_out = tb.x;
    tb.taps.assign(static_cast<std::size_t>(B) * K * R, 0.0f);
    tb.skip_sum.assign(static_cast<std::size_t>(B) * S, 0.0f);
    tb.post = tb.skip_sum;
    tb.out.assign(static_cast<std::size_t>(B) * ws.out, 0.0f);
    tb.scratch.assign(static_cast<std::size_t>(ws.out), 0.0f);
    tb.projected.assign(static_cast<std::size_t>(projected_rows + 1) * G, 0.0f);
    for (int b = 0; b < B; ++b) {
      tb.rngs.emplace_back(request.seeds.empty() ? row_seed(seed, b) : row_seed(request.seeds[b], 0));
      set_input(tb.x.data() + static_cast<std::size_t>(b) * R, 0.0f);  // silence before the first sample
    }
  }
  const double prep_seconds = std::chrono::duration<double>(Clock::now() - prep_start).count();

  SpinBarrier barrier(threads);
  double cond_seconds = 0, layer_seconds = 0, output_seconds = 0;

  // One product over all rows: y[b] (stride y_stride) (+)= x[b] (stride x_stride) . w[:, n0:n1]
  auto product = [&](const float* x, int64_t x_stride, int k, const PackedMatrix& m_, const void* w_rows,
                     const float* bias, float* y, int64_t y_stride, int n0, int n1, bool accumulate) {
    if (n0 >= n1) return;
    kernels::MatmulArgs a;
    a.x = x;
    a.x_stride = x_stride;
    a.rows = B;
    a.k = k;
    a.w = w_rows;
    a.w_bf16 = m_.bf16;
    a.w_stride = m_.n;
    a.bias = bias;
    a.y = y;
    a.y_stride = y_stride;
    a.n_begin = n0;
    a.n_end = n1;
    a.accumulate = accumulate;
    kt.matmul(a);
  };
  // Rows [row0, ...) of a packed matrix.
  auto rows_of = [](const PackedMatrix& m_, int row0) -> const void* {
    return m_.bf16 ? static_cast<const void*>(m_.b16.data() + static_cast<std::size_t>(row0) * m_.n)
                   : static_cast<const void*>(m_.f32.data() + static_cast<std::size_t>(row0) * m_.n);
  };

  auto worker = [&](int tid) {
    ThreadBuffers& tb = buffers[tid];
    const auto [h0, h1] = kernels::thread_columns(H, tid, threads);  // gated columns; gate columns [2*h0, 2*h1)
    const int g0 = 2 * h0, g1 = 2 * h1, width = h1 - h0;
    const auto [r0, r1] = kernels::thread_columns(R, tid, threads);  // ring columns this thread writes
    float* x = tb.x.data();
    float* res = tb.residual_out.data();
    const int64_t cond_stride = static_cast<int64_t>(ws.chunk) * G;
    for (int64_t t = 0; t < T; ++t) {
      const int slot_in_chunk = static_cast<int>(t % ws.chunk);
      const int parity = static_cast<int>(t & 1);
      if (slot_in_chunk == 0) {
        const auto c_start = Clock::now();
        // Conditioning of the next chunk, in this thread's own gate columns (so no barrier):
        // bias + local projection (projected last-stage rows, interpolated) + label term.
        const int rows = static_cast<int>(std::min<int64_t>(ws.chunk, T - t));
        for (int l = 0; l < L; ++l) {
          const EngineLayer& layer = w.layers[l];
          for (int b = 0; b < B; ++b) {
            float* cond = ws.cond[l].data() + static_cast<std::size_t>(b) * cond_stride;
            // Last-stage rows the chunk's samples read: those of t / scale, one either side.
            const int64_t f_lo = std::max<int64_t>(0, t / scale - 1);
            const int64_t f_hi = std::min<int64_t>(F - 1, (t + rows - 1) / scale + 1);
            {
              const int c0 = g0, c1 = g1;
              if (stage_rows && !layer.local.empty() && f_hi >= f_lo) {
                kernels::MatmulArgs a;
                a.x = stage_rows + (static_cast<int64_t>(b) * F + f_lo) * w.n_mels;
                a.x_stride = w.n_mels;
                a.rows = static_cast<int>(f_hi - f_lo + 1);
                a.k = layer.local.k;
                a.w = layer.local.data();
                a.w_stride = G;
                a.y = tb.projected.data();
                a.y_stride = G;
                a.n_begin = c0;
                a.n_end = c1;
                kt.matmul(a);
                const float* zero_row = tb.projected.data() + static_cast<std::size_t>(projected_rows) * G;
                auto row_of = [&](int64_t f) { return f >= f_lo && f <= f_hi ? tb.projected.data() + (f - f_lo) * G : zero_row; };
                for (int r = 0; r < rows; ++r) {
                  const int64_t f = (t + r) / scale;
                  const float* tap = phase_taps.data() + 3 * ((t + r) % scale);
                  const float *before = row_of(f - 1), *here = row_of(f), *after = row_of(f + 1);
                  float* out = cond + r * G;
                  for (int c = c0; c < c1; ++c) {
                    out[c] = layer.taps_bias[c] + tap[0] * before[c] + tap[1] * here[c] + tap[2] * after[c];
                  }
                }
              } else {
                for (int r = 0; r < rows; ++r) std::copy(layer.taps_bias.begin() + c0, layer.taps_bias.begin() + c1, cond + r * G + c0);
              }
              if (!ws.global_terms.empty()) {
                const float* term = ws.global_terms.data() + (static_cast<std::size_t>(l) * B + b) * G;
                for (int r = 0; r < rows; ++r) {
                  for (int c = c0; c < c1; ++c) cond[r * G + c] += term[c];
                }
              }
            }
          }
        }
        if (tid == 0) cond_seconds += std::chrono::duration<double>(Clock::now() - c_start).count();
      }

      const auto l_start = Clock::now();
      float* partial = ws.skip_partials.data() + (static_cast<std::size_t>(parity) * threads + tid) * B * S;
      std::fill(partial, partial + static_cast<std::size_t>(B) * S, 0.0f);
      for (int l = 0; l < L; ++l) {
        const EngineLayer& layer = w.layers[l];
        const int span = ws.spans[l];
        float* ring = ws.rings[l].data();
        // Taps x[t-(k-1)d] ... x[t-d], x[t] side by side, then one product per gate half.
        for (int b = 0; b < B; ++b) {
          float* dst = tb.taps.data() + static_cast<std::size_t>(b) * K * R;
          for (int j = 0; j < K; ++j) {
            const int back = (K - 1 - j) * layer.dilation;
            const float* src = back == 0 ? x + static_cast<std::size_t>(b) * R
                                         : ring + (static_cast<int64_t>(b) * span + ((t - back) % span + span) % span) * R;
            std::copy(src, src + R, dst + j * R);
          }
        }
        float* h = ws.cond[l].data() + static_cast<std::size_t>(slot_in_chunk) * G;  // row b at + b*cond_stride
        product(tb.taps.data(), static_cast<int64_t>(K) * R, K * R, layer.taps, layer.taps.data(), nullptr, h, cond_stride, g0, g1, true);
        float* z = ws.gated.data() + static_cast<std::size_t>(l) * H;  // row b at + b*L*H
        for (int b = 0; b < B; ++b) {
          const float* hb = h + static_cast<std::size_t>(b) * cond_stride;
          kt.gate(hb + g0, hb + g0 + width, z + static_cast<std::size_t>(b) * L * H + h0, width);
        }
        // This thread's gated columns' share of the skip sum (rows h0..h1 of layer l's block).
        if (h1 > h0) {
          product(z + h0, static_cast<int64_t>(L) * H, h1 - h0, w.skip_all, rows_of(w.skip_all, l * H + h0), nullptr,
                  partial, S, 0, S, true);
        }
        barrier.wait();  // the whole gated vector of layer l is ready
        if (span > 0) {
          for (int b = 0; b < B; ++b) {
            std::copy(x + b * R + r0, x + b * R + r1, ring + (static_cast<int64_t>(b) * span + t % span) * R + r0);
          }
        }
        if (!layer.residual.empty()) {
          // Every thread computes the full residual update: it is small, and saves a barrier.
          product(z, static_cast<int64_t>(L) * H, H, layer.residual, layer.residual.data(), layer.residual_bias.data(),
                  res, R, 0, R, false);
          for (int i = 0; i < B * R; ++i) x[i] = (x[i] + res[i]) * half_root;
        }
      }
      const auto o_start = Clock::now();
      if (tid == 0) layer_seconds += std::chrono::duration<double>(o_start - l_start).count();
      barrier.wait();  // every thread's partial skip sum is ready

      // Output layers, redundantly on every thread (identical inputs, identical results), so
      // the next step starts without another barrier.
      const float* partials = ws.skip_partials.data() + static_cast<std::size_t>(parity) * threads * B * S;
      for (int i = 0; i < B * S; ++i) {
        float sum = w.skip_bias[i % S];
        for (int th = 0; th < threads; ++th) sum += partials[static_cast<std::size_t>(th) * B * S + i];
        tb.skip_sum[i] = std::max(0.0f, sum);
      }
      product(tb.skip_sum.data(), S, S, w.post_skip, w.post_skip.data(), w.post_skip_bias.data(), tb.post.data(), S, 0, S, false);
      for (float& v : tb.post) v = std::max(0.0f, v);
      product(tb.post.data(), S, S, w.post_output, w.post_output.data(), w.post_output_bias.data(), tb.out.data(), ws.out, 0,
              ws.out, false);
      for (int b = 0; b < B; ++b) {
        const float* out = tb.out.data() + static_cast<std::size_t>(b) * ws.out;
        const float sample = t < teacher_steps ? teacher[b * teacher_steps + t] : sampler.sample(out, tb.rngs[b], tb.scratch.data());
        set_input(x + static_cast<std::size_t>(b) * R, sample);
        if (tid == 0) {
          audio_out[b * T + t] = sample;
          if (outputs_out) {
            for (int c = 0; c < ws.out; ++c) outputs_out[(static_cast<int64_t>(b) * ws.out + c) * T + t] = out[c];
          }
        }
      }
      if (tid == 0) {
        output_seconds += std::chrono::duration<double>(Clock::now() - o_start).count();
        if (request.on_step) request.on_step(t + 1);
      }
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

GeneratorFacts CachedEngine::facts() const {
  GeneratorFacts f;
  f.kernels = kernels_->name;
  f.precision = weights_.post_skip.bf16 ? "bf16" : "fp32";
  f.threads = options_.threads;
  f.flops_per_sample = model_flops_per_sample(weights_);
  f.weight_bytes_per_step = weights_.step_weight_bytes();
  return f;
}

double model_flops_per_sample(const EngineWeights& w) {
  int64_t cond = 0;
  for (const auto& l : w.layers) cond += static_cast<int64_t>(l.local.k) * l.local.n;
  return 2.0 * static_cast<double>(w.macs_per_step() + cond);
}

}  // namespace wn
