#include "nets/wavenet/engine/engine_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/kernels/column_split.h"
#include "core/thread_team.h"
#include "dataio/quantization.h"
#include "nets/outputs/step_sampler.h"

namespace wn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

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
    permute_matrix(layer.source);
    permute_matrix(layer.global);
    permute(layer.taps_bias, 1);
  }
}

// Columns [c0, c1) of m as a matrix of its own: a thread's weights then lie in one contiguous
// stream, which the prefetchers follow, instead of a slice of every row.
PackedMatrix column_slice(const PackedMatrix& m, int c0, int c1) {
  PackedMatrix s;
  s.k = m.k;
  s.n = c1 - c0;
  s.bf16 = m.bf16;
  for (int r = 0; r < m.k; ++r) {
    const std::size_t row = static_cast<std::size_t>(r) * m.n;
    if (m.bf16) s.b16.insert(s.b16.end(), m.b16.begin() + row + c0, m.b16.begin() + row + c1);
    else s.f32.insert(s.f32.end(), m.f32.begin() + row + c0, m.f32.begin() + row + c1);
  }
  return s;
}

// Rows [r0, r1) of m as a matrix of its own (a thread's share of the skip rows).
PackedMatrix row_slice(const PackedMatrix& m, int r0, int r1) {
  PackedMatrix s;
  s.k = r1 - r0;
  s.n = m.n;
  s.bf16 = m.bf16;
  if (m.bf16) s.b16.assign(m.b16.begin() + m.row_offset(r0), m.b16.begin() + m.row_offset(r1));
  else s.f32.assign(m.f32.begin() + m.row_offset(r0), m.f32.begin() + m.row_offset(r1));
  return s;
}

// y (stride y_stride, columns [n0, n1) of w) (+)= x (rows of stride x_stride) . w[0:k]
struct Product {
  const float* x;
  int64_t x_stride;
  const PackedMatrix& w;
  int k;
  const float* bias;
  float* y;
  int64_t y_stride;
  int n0, n1;
  bool accumulate;
};

void run_product(const kernels::KernelTable& kt, int rows, const Product& p) {
  if (p.n0 >= p.n1) return;
  kernels::MatmulArgs a;
  a.x = p.x;
  a.x_stride = p.x_stride;
  a.rows = rows;
  a.k = p.k;
  a.w = p.w.data();
  a.w_bf16 = p.w.bf16;
  a.w_pairs = p.w.pairs;
  a.w_stride = p.w.n;
  a.bias = p.bias;
  a.y = p.y;
  a.y_stride = p.y_stride;
  a.n_begin = p.n0;
  a.n_end = p.n1;
  a.accumulate = p.accumulate;
  kt.matmul(a);
}

}  // namespace

EnginePlan make_engine_plan(EngineWeights weights, int threads, int chunk, const kernels::KernelTable& kernels,
                            int last_scale, std::vector<float> last_stage_taps) {
  EnginePlan plan;
  plan.threads = std::max(1, threads);
  plan.chunk = std::max(1, chunk);
  plan.kernels = &kernels;
  plan.scale = last_scale;
  plan.phase_taps = std::move(last_stage_taps);
  group_gate_columns_by_thread(weights, plan.threads);
  const auto layout = [&](PackedMatrix m) { return kernels.bf16_pairs ? in_k_pairs(m) : m; };
  const int H = weights.half;
  for (std::size_t l = 0; l < weights.layers.size(); ++l) {
    std::vector<PackedMatrix> taps, skip;
    for (int tid = 0; tid < plan.threads; ++tid) {
      const auto [h0, h1] = kernels::thread_columns(H, tid, plan.threads);
      taps.push_back(layout(column_slice(weights.layers[l].taps, 2 * h0, 2 * h1)));
      const int row = static_cast<int>(l) * H;
      skip.push_back(layout(row_slice(weights.skip_all, row + h0, row + h1)));
    }
    plan.taps_slices.push_back(std::move(taps));
    plan.skip_slices.push_back(std::move(skip));
    weights.layers[l].residual = layout(weights.layers[l].residual);
  }
  weights.post_skip = layout(weights.post_skip);
  weights.post_output = layout(weights.post_output);
  plan.weights = std::move(weights);
  return plan;
}

// Buffers the members share. Each is written in column slices owned by one member, or read
// only after the barrier that follows its writes.
struct EngineRun::Shared {
  std::vector<std::vector<float>> rings;  // per layer: B x span x R (columns written by their owner)
  std::vector<int> spans;
  std::vector<std::vector<float>> cond;   // per layer: B x chunk x gate (becomes h in place)
  std::vector<float> gated;               // B x (layers*half)
  std::vector<float> skip_partials;       // [parity][member]: B x skip partial skip sums
  double cond_seconds = 0, layer_seconds = 0, output_seconds = 0, sampling_seconds = 0;
};

// What each member keeps to itself. The residual stream x is the same on every member: each
// computes all of it, so a layer needs one barrier instead of two.
struct EngineRun::Member {
  std::vector<float> x, residual_out, taps;  // B x R, B x R, B x (kernel*R)
  std::vector<float> skip_sum, post, out;    // B x skip, B x skip, B x out
  std::vector<float> scratch;                // sampler
  std::vector<float> projected;              // a chunk's last-stage rows x gate, then a zero row
  std::vector<float> source;                 // a chunk's pitch source: B x chunk x channels
  std::vector<std::mt19937_64> rngs;         // identical copies on every member
  SampleHistory history;                     // linear prediction's last samples, per row
};

namespace {

// Input layer: x = first-conv column of the previous sample's class (input=mulaw, quantized
// as model.quantization says) or w * sample + b (raw). The names are looked up once, not per
// sample.
class InputLayer {
 public:
  explicit InputLayer(const EngineWeights& w)
      : w_(w), quantized_(w.model.input == "mulaw"), quantization_(quantization_named(w.model.quantization)) {}
  void set(float* x, float previous) const {
    const int R = w_.residual;
    const float* column =
        quantized_ ? w_.input_table.data() +
                         static_cast<std::size_t>(quantize_sample(previous, w_.model.quantize_channels, quantization_)) * R
                   : w_.input_table.data();
    for (int r = 0; r < R; ++r) x[r] = (quantized_ ? column[r] : column[r] * previous) + w_.input_bias[r];
  }

 private:
  const EngineWeights& w_;
  bool quantized_;
  Quantization quantization_;
};

}  // namespace

EngineRun::EngineRun(const EnginePlan& plan, int batch, const std::vector<uint64_t>& seeds, std::vector<float> label_terms,
                     double temperature)
    : plan_(plan), batch_(batch), label_terms_(std::move(label_terms)), temperature_(temperature), shared_(new Shared) {
  const EngineWeights& w = plan.weights;
  const int B = batch, R = w.residual, G = w.gate, K = w.model.kernel_size, S = w.skip;
  const int L = static_cast<int>(w.layers.size());
  for (const auto& layer : w.layers) {
    const int span = (K - 1) * layer.dilation;
    shared_->spans.push_back(span);
    shared_->rings.emplace_back(static_cast<std::size_t>(B) * span * R, 0.0f);
    shared_->cond.emplace_back(static_cast<std::size_t>(B) * plan.chunk * G, 0.0f);
  }
  shared_->gated.assign(static_cast<std::size_t>(B) * L * w.half, 0.0f);
  shared_->skip_partials.assign(static_cast<std::size_t>(2) * plan.threads * B * S, 0.0f);
  // Rows a chunk reads: at most chunk / scale + 2 for its own samples (one more when the chunk
  // straddles a row boundary), plus one either side; then comes a zero row.
  const int projected_rows = plan.chunk / plan.scale + 4;
  const InputLayer input(w);
  members_.resize(static_cast<std::size_t>(plan.threads));
  for (Member& mb : members_) {
    mb.x.assign(static_cast<std::size_t>(B) * R, 0.0f);
    mb.residual_out = mb.x;
    mb.taps.assign(static_cast<std::size_t>(B) * K * R, 0.0f);
    mb.skip_sum.assign(static_cast<std::size_t>(B) * S, 0.0f);
    mb.post = mb.skip_sum;
    mb.out.assign(static_cast<std::size_t>(B) * w.out_channels, 0.0f);
    mb.history = SampleHistory(w.model.linear_prediction, B,
                               w.model.long_term_prediction > 0 ? pitch_max_lag(w.pitch.sample_rate) : 0);
    mb.scratch.assign(static_cast<std::size_t>(w.out_channels), 0.0f);
    mb.projected.assign(static_cast<std::size_t>(projected_rows + 1) * G, 0.0f);
    mb.source.assign(static_cast<std::size_t>(B) * plan.chunk * w.pitch.channels(), 0.0f);
    for (int b = 0; b < B; ++b) {
      mb.rngs.emplace_back(seeds[b]);
      input.set(mb.x.data() + static_cast<std::size_t>(b) * R, 0.0f);  // silence before the first sample
    }
  }
}

EngineRun::~EngineRun() = default;

namespace {

// The stages of a step, each with what it needs (see the header for the order).

struct ChunkConditioning {
  const EnginePlan& plan;
  const StageRows& rows;
  const std::vector<float>& label_terms;  // (L, B, gate) or empty
  int batch;
  int64_t t;         // first step of the chunk
  int steps;         // steps in the chunk
  int c0, c1;        // the member's gate columns
  float* projected;  // the member's scratch: rows x gate, then a zero row
  int projected_rows;
  const PitchRows* pitch;  // the pitch source, or null
  float* source;           // the member's scratch: B x steps x channels
};

// Each layer's conditioning of steps [t, t+steps), in one member's gate columns (so no barrier):
// bias + local projection (projected last-stage rows, interpolated) + pitch source projection
// (the source's channels at every step) + label term. The last
// upsampling stage is linear and the same for every mel bin, so it commutes with the layer's
// projection: project the stage's input rows (`scale` times fewer than samples), then
// interpolate the projections with the stage's polyphase taps.
void condition_chunk(const ChunkConditioning& a, std::vector<std::vector<float>>& cond) {
  const EngineWeights& w = a.plan.weights;
  const int G = w.gate, B = a.batch, scale = a.plan.scale;
  const int64_t cond_stride = static_cast<int64_t>(a.plan.chunk) * G;
  const int64_t F = a.rows.count;
  const float* zero_row = a.projected + static_cast<std::size_t>(a.projected_rows) * G;
  const int S = a.pitch ? a.pitch->channels() : 0;
  for (int b = 0; b < B && S > 0; ++b) {
    for (int r = 0; r < a.steps; ++r) a.pitch->at(b, a.t + r, a.source + (static_cast<std::size_t>(b) * a.steps + r) * S);
  }
  for (std::size_t l = 0; l < w.layers.size(); ++l) {
    const EngineLayer& layer = w.layers[l];
    for (int b = 0; b < B; ++b) {
      float* out_rows = cond[l].data() + static_cast<std::size_t>(b) * cond_stride;
      // Last-stage rows the chunk's samples read: those of t / scale, one either side.
      const int64_t f_lo = std::max<int64_t>(0, a.t / scale - 1);
      const int64_t f_hi = std::min<int64_t>(F - 1, (a.t + a.steps - 1) / scale + 1);
      if (a.rows.data && !layer.local.empty() && f_hi >= f_lo) {
        run_product(*a.plan.kernels, static_cast<int>(f_hi - f_lo + 1),
                    {a.rows.data + (static_cast<int64_t>(b) * a.rows.capacity + f_lo - a.rows.first) * w.n_mels, w.n_mels, layer.local,
                     layer.local.k, nullptr, a.projected, G, a.c0, a.c1, false});
        auto row_of = [&](int64_t f) { return f >= f_lo && f <= f_hi ? a.projected + (f - f_lo) * G : zero_row; };
        for (int r = 0; r < a.steps; ++r) {
          const int64_t f = (a.t + r) / scale;
          const float* tap = a.plan.phase_taps.data() + 3 * ((a.t + r) % scale);
          const float *before = row_of(f - 1), *here = row_of(f), *after = row_of(f + 1);
          float* out = out_rows + r * G;
          for (int c = a.c0; c < a.c1; ++c) out[c] = layer.taps_bias[c] + tap[0] * before[c] + tap[1] * here[c] + tap[2] * after[c];
        }
      } else {
        for (int r = 0; r < a.steps; ++r) std::copy(layer.taps_bias.begin() + a.c0, layer.taps_bias.begin() + a.c1, out_rows + r * G + a.c0);
      }
      if (S > 0 && !layer.source.empty()) {
        run_product(*a.plan.kernels, a.steps,
                    {a.source + static_cast<std::size_t>(b) * a.steps * S, S, layer.source, S, nullptr, out_rows, G, a.c0, a.c1, true});
      }
      if (!a.label_terms.empty()) {
        const float* term = a.label_terms.data() + (l * B + b) * G;
        for (int r = 0; r < a.steps; ++r) {
          for (int c = a.c0; c < a.c1; ++c) out_rows[r * G + c] += term[c];
        }
      }
    }
  }
}

struct LayerStep {
  const EnginePlan& plan;
  int layer, member, batch;
  int64_t t;
  int slot;            // the step's row in the chunk's conditioning
  int h0, h1, r0, r1;  // the member's gated columns and ring columns
  float* partial;      // the member's skip partial sums
};

// One residual layer's step on one member. The barrier in the middle makes the whole gated
// vector of the layer visible to every member before the residual update reads it.
void layer_step(const LayerStep& a, EngineRun::Shared& s, EngineRun::Member& mb, SpinBarrier& barrier) {
  const EngineWeights& w = a.plan.weights;
  const kernels::KernelTable& kt = *a.plan.kernels;
  const EngineLayer& layer = w.layers[a.layer];
  const int B = a.batch, R = w.residual, G = w.gate, H = w.half, L = static_cast<int>(w.layers.size()),
            K = w.model.kernel_size, S = w.skip;
  const int span = s.spans[a.layer], width = a.h1 - a.h0;
  float* ring = s.rings[a.layer].data();
  float* x = mb.x.data();
  // Taps x[t-(k-1)d] ... x[t-d], x[t] side by side, then one product over the member's columns.
  for (int b = 0; b < B; ++b) {
    float* dst = mb.taps.data() + static_cast<std::size_t>(b) * K * R;
    for (int j = 0; j < K; ++j) {
      const int back = (K - 1 - j) * layer.dilation;
      const float* src = back == 0 ? x + static_cast<std::size_t>(b) * R
                                   : ring + (static_cast<int64_t>(b) * span + ((a.t - back) % span + span) % span) * R;
      std::copy(src, src + R, dst + j * R);
    }
  }
  const int64_t cond_stride = static_cast<int64_t>(a.plan.chunk) * G;
  float* h = s.cond[a.layer].data() + static_cast<std::size_t>(a.slot) * G;  // row b at + b*cond_stride
  const PackedMatrix& slice = a.plan.taps_slices[a.layer][a.member];
  run_product(kt, B, {mb.taps.data(), static_cast<int64_t>(K) * R, slice, K * R, nullptr, h + 2 * a.h0, cond_stride, 0, slice.n, true});
  float* z = s.gated.data() + static_cast<std::size_t>(a.layer) * H;  // row b at + b*L*H
  for (int b = 0; b < B; ++b) {
    const float* hb = h + static_cast<std::size_t>(b) * cond_stride;
    kt.gate(hb + 2 * a.h0, hb + 2 * a.h0 + width, z + static_cast<std::size_t>(b) * L * H + a.h0, width);
  }
  // The member's gated columns' share of the skip sum (rows h0..h1 of the layer's block).
  const PackedMatrix& skip = a.plan.skip_slices[a.layer][a.member];
  run_product(kt, B, {z + a.h0, static_cast<int64_t>(L) * H, skip, width, nullptr, a.partial, S, 0, S, true});
  barrier.wait();
  if (span > 0) {
    for (int b = 0; b < B; ++b) {
      std::copy(x + b * R + a.r0, x + b * R + a.r1, ring + (static_cast<int64_t>(b) * span + a.t % span) * R + a.r0);
    }
  }
  if (!layer.residual.empty()) {
    float* res = mb.residual_out.data();
    run_product(kt, B, {z, static_cast<int64_t>(L) * H, layer.residual, H, layer.residual_bias.data(), res, R, 0, R, false});
    const float half_root = std::sqrt(0.5f);
    for (int i = 0; i < B * R; ++i) x[i] = (x[i] + res[i]) * half_root;
  }
}

// The output layers on one member, from every member's partial skip sums (identical inputs on
// every member, so identical results, and the next step needs no barrier).
void output_step(const EnginePlan& plan, int batch, const float* partials, EngineRun::Member& mb) {
  const EngineWeights& w = plan.weights;
  const kernels::KernelTable& kt = *plan.kernels;
  const int B = batch, S = w.skip, threads = plan.threads;
  for (int i = 0; i < B * S; ++i) {
    float sum = w.skip_bias[i % S];
    for (int th = 0; th < threads; ++th) sum += partials[static_cast<std::size_t>(th) * B * S + i];
    mb.skip_sum[i] = std::max(0.0f, sum);
  }
  run_product(kt, B, {mb.skip_sum.data(), S, w.post_skip, S, w.post_skip_bias.data(), mb.post.data(), S, 0, S, false});
  for (float& v : mb.post) v = std::max(0.0f, v);
  run_product(kt, B,
              {mb.post.data(), S, w.post_output, S, w.post_output_bias.data(), mb.out.data(), w.out_channels, 0, w.out_channels, false});
}

// Sampling: each row's next sample (the teacher's while it lasts; with linear prediction the
// sampled excitation plus the prediction from the row's last samples), fed to the member's
// input layer; member 0 also writes the sinks.
struct SamplingStep {
  const EngineWeights& w;
  const StepSampler& sampler;
  const InputLayer& input;
  const StepSinks& sinks;
  const PredictorRows* predictors;
  int member, batch;
  int64_t t;
};

void sampling_step(const SamplingStep& a, EngineRun::Member& mb) {
  const EngineWeights& w = a.w;
  const StepSinks& sinks = a.sinks;
  const int64_t t = a.t;
  for (int b = 0; b < a.batch; ++b) {
    const float* out = mb.out.data() + static_cast<std::size_t>(b) * w.out_channels;
    const StepPredictor predictor = a.predictors ? a.predictors->at(b, t) : StepPredictor{};
    float sample;
    if (t < sinks.teacher_steps) {
      sample = sinks.teacher[b * sinks.teacher_steps + t];
    } else {
      sample = a.sampler.sample(out, mb.rngs[b], mb.scratch.data());
      if (a.predictors) sample = sample_from_excitation(mb.history.predict(b, predictor), sample);
    }
    if (a.predictors) mb.history.push(b, sample, predictor);
    a.input.set(mb.x.data() + static_cast<std::size_t>(b) * w.residual, sample);
    if (a.member != 0) continue;
    sinks.audio[b * sinks.audio_stride + (t - sinks.first_step)] = sample;
    if (sinks.outputs) {
      for (int c = 0; c < w.out_channels; ++c) {
        sinks.outputs[(static_cast<int64_t>(b) * w.out_channels + c) * sinks.outputs_stride + t] = out[c];
      }
    }
  }
}

}  // namespace

void EngineRun::advance(int64_t t_end, const StageRows& rows, const StepSinks& sinks, ThreadTeam& team) {
  if (t_end <= t_) return;
  const EnginePlan& plan = plan_;
  const EngineWeights& w = plan.weights;
  const int B = batch_, R = w.residual, H = w.half, S = w.skip, L = static_cast<int>(w.layers.size()), threads = plan.threads;
  const int64_t t_begin = t_;
  const StepSampler sampler(w.model, temperature_);
  const InputLayer input(w);
  Shared& s = *shared_;
  const PredictorRows* predictors = sinks.predictors;
  if (w.model.linear_prediction > 0 && !predictors) {
    throw std::invalid_argument("engine: a model with linear prediction needs its predictors");
  }
  if (w.pitch.active() && !sinks.pitch) throw std::invalid_argument("engine: a pitch-conditioned model needs its pitch rows");

  auto job = [&](int member) {
    Member& mb = members_[member];
    SpinBarrier& barrier = team.barrier();
    const auto [h0, h1] = kernels::thread_columns(H, member, threads);
    const auto [r0, r1] = kernels::thread_columns(R, member, threads);
    const int projected_rows = plan.chunk / plan.scale + 4;
    int64_t chunk_start = t_begin - t_begin % plan.chunk;
    for (int64_t t = t_begin; t < t_end; ++t) {
      const int slot = static_cast<int>(t - chunk_start);
      if (t == t_begin || slot == plan.chunk) {
        // A new chunk starts here (or this call resumes inside one: its conditioning is redone
        // from t, the values are the same whatever the chunk boundaries).
        const auto start = Clock::now();
        chunk_start = t;
        const int steps = static_cast<int>(std::min<int64_t>(plan.chunk, t_end - t));
        condition_chunk({plan, rows, label_terms_, B, t, steps, 2 * h0, 2 * h1, mb.projected.data(), projected_rows,
                         w.pitch.active() ? sinks.pitch : nullptr, mb.source.data()},
                        s.cond);
        if (member == 0) s.cond_seconds += seconds_since(start);
      }
      const auto layers_start = Clock::now();
      const int parity = static_cast<int>(t & 1);
      float* partial = s.skip_partials.data() + (static_cast<std::size_t>(parity) * threads + member) * B * S;
      std::fill(partial, partial + static_cast<std::size_t>(B) * S, 0.0f);
      for (int l = 0; l < L; ++l) {
        layer_step({plan, l, member, B, t, static_cast<int>(t - chunk_start), h0, h1, r0, r1, partial}, s, mb, barrier);
      }
      // The last layer's barrier already follows every member's skip share. With one layer,
      // one more keeps a member from overwriting a ring slot another member has still to read.
      if (L == 1) barrier.wait();
      const auto output_start = Clock::now();
      if (member == 0) s.layer_seconds += std::chrono::duration<double>(output_start - layers_start).count();
      output_step(plan, B, s.skip_partials.data() + static_cast<std::size_t>(parity) * threads * B * S, mb);
      const auto sampling_start = Clock::now();
      sampling_step({w, sampler, input, sinks, predictors, member, B, t}, mb);
      if (member == 0) {
        s.output_seconds += std::chrono::duration<double>(sampling_start - output_start).count();
        s.sampling_seconds += seconds_since(sampling_start);
        if (sinks.on_step && *sinks.on_step) (*sinks.on_step)(t + 1);
      }
    }
  };
  team.run(job);
  t_ = t_end;
  timings_.conditioning_seconds = s.cond_seconds;
  timings_.layers_seconds = s.layer_seconds;
  timings_.output_seconds = s.output_seconds;
  timings_.sampling_seconds = s.sampling_seconds;
}

}  // namespace wn
