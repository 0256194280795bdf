#include "nets/wavenet/engine/cached_engine.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "core/thread_team.h"
#include "nets/wavenet/receptive_field.h"
#include "nets/wavenet/engine/streaming_synthesis.h"
#include "nets/outputs/step_sampler.h"

namespace wn {
namespace {

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

}  // namespace

CachedEngine::CachedEngine(WaveNet& net, const EngineOptions& options)
    : CachedEngine(pack_engine_weights(net, options.precision), pack_engine_upsampler(net), options) {}

CachedEngine::CachedEngine(EngineWeights weights, EngineUpsampler upsampler, const EngineOptions& options)
    : upsampler_(std::move(upsampler)),
      prediction_(options.prediction),
      plan_(make_engine_plan(std::move(weights), options.threads, options.chunk,
                             options.kernels ? *options.kernels : kernels::best_kernels(),
                             upsampler_.n_mels > 0 ? upsampler_.last_scale() : 1,
                             upsampler_.n_mels > 0 ? upsampler_.last_stage_taps() : std::vector<float>())),
      team_(std::make_unique<ThreadTeam>(plan_.threads)) {
  if (plan_.weights.model.linear_prediction != prediction_.order()) {
    throw std::invalid_argument("engine: the model predicts with order " + std::to_string(plan_.weights.model.linear_prediction) +
                                " but the engine was given order " + std::to_string(prediction_.order()));
  }
}

CachedEngine::~CachedEngine() = default;

std::vector<float> CachedEngine::label_terms(const at::Tensor& labels) const {
  const EngineWeights& w = plan_.weights;
  if (!labels.defined() || !w.model.global_conditioning) return {};
  const torch::Tensor embedded = embed_labels(w, labels);
  const int B = static_cast<int>(embedded.size(0)), G = w.gate, L = static_cast<int>(w.layers.size());
  std::vector<float> terms(static_cast<std::size_t>(L) * B * G, 0.0f);
  for (int l = 0; l < L; ++l) {
    if (w.layers[l].global.empty()) continue;
    kernels::MatmulArgs a;
    a.x = embedded.data_ptr<float>();
    a.x_stride = embedded.size(1);
    a.rows = B;
    a.k = w.layers[l].global.k;
    a.w = w.layers[l].global.data();
    a.w_stride = G;
    a.y = terms.data() + static_cast<std::size_t>(l) * B * G;
    a.y_stride = G;
    a.n_end = G;
    plan_.kernels->matmul(a);
  }
  return terms;
}

torch::Tensor CachedEngine::generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs,
                                     GenerationTimings* timings) {
  const EngineWeights& w = plan_.weights;
  const ModelConfig& m = w.model;
  const auto prep_start = std::chrono::steady_clock::now();
  const int B = static_cast<int>(request.mel.defined() ? request.mel.size(0) : request.batch);
  const int64_t T = request.samples;
  TORCH_CHECK(request.seeds.empty() || static_cast<int>(request.seeds.size()) == B, "engine: ", request.seeds.size(),
              " seeds for a batch of ", B);
  TORCH_CHECK(!request.labels.defined() || !m.global_conditioning || request.labels.size(0) == B, "engine: ",
              request.labels.size(0), " labels for a batch of ", B);
  TORCH_CHECK(!request.teacher.defined() || (request.teacher.size(0) == B && request.teacher.size(1) <= T),
              "engine: teacher audio must be (batch, at most samples)");

  // Once per call: the mel upsampled up to the last stage (B, F, n_mels), label terms.
  torch::Tensor stage_in;
  if (request.mel.defined() && m.local_conditioning) {
    torch::NoGradGuard no_grad;
    stage_in = last_stage_rows(upsampler_, request.mel, request.mel_frames, T);
  }
  std::vector<uint64_t> seeds;
  for (int b = 0; b < B; ++b) seeds.push_back(request.seeds.empty() ? row_seed(seed, b) : row_seed(request.seeds[b], 0));
  EngineRun run(plan_, B, seeds, label_terms(request.labels), request.temperature);

  torch::Tensor audio = torch::zeros({B, T});
  StepSinks sinks;
  sinks.audio = audio.data_ptr<float>();
  sinks.audio_stride = T;
  if (outputs) {
    *outputs = torch::zeros({B, w.out_channels, T});
    sinks.outputs = outputs->data_ptr<float>();
    sinks.outputs_stride = T;
  }
  torch::Tensor teacher;
  if (request.teacher.defined()) {
    teacher = request.teacher.to(torch::kFloat).cpu().contiguous();
    sinks.teacher = teacher.data_ptr<float>();
    sinks.teacher_steps = teacher.size(1);
  }
  sinks.on_step = &request.on_step;
  // Linear prediction: each row's predictors from its own mel rows.
  std::unique_ptr<PredictorRows> predictors;
  torch::Tensor mel_rows;
  if (prediction_.active()) {
    TORCH_CHECK(request.mel.defined(), "engine: a model with linear prediction needs a mel");
    mel_rows = request.mel.to(torch::kFloat).cpu().contiguous();
    predictors = std::make_unique<PredictorRows>(prediction_, B);
    for (int b = 0; b < B; ++b) {
      const int64_t own = request.mel_frames.empty() ? mel_rows.size(1) : request.mel_frames[b];
      predictors->add(b, mel_rows[b].data_ptr<float>(), own);
    }
    sinks.predictors = predictors.get();
  }
  // Pitch conditioning: each row's source from the pitch head on its own mel rows.
  std::unique_ptr<PitchRows> pitch;
  if (w.pitch.active()) {
    TORCH_CHECK(request.mel.defined(), "engine: a pitch-conditioned model needs a mel");
    if (!mel_rows.defined()) mel_rows = request.mel.to(torch::kFloat).cpu().contiguous();
    pitch = std::make_unique<PitchRows>(w.pitch, B);
    for (int b = 0; b < B; ++b) {
      const int64_t own = request.mel_frames.empty() ? mel_rows.size(1) : request.mel_frames[b];
      pitch->add(b, mel_rows[b].data_ptr<float>(), own);
    }
    sinks.pitch = pitch.get();
  }
  StageRows rows;
  if (stage_in.defined()) {
    rows.data = stage_in.data_ptr<float>();
    rows.capacity = rows.count = stage_in.size(1);
  }
  const double prep_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - prep_start).count();
  run.advance(T, rows, sinks, *team_);
  if (timings) {
    *timings = run.timings();
    timings->conditioning_seconds += prep_seconds;
  }
  return audio;
}

std::unique_ptr<GeneratorStream> CachedEngine::stream(uint64_t seed, int64_t label, double temperature) {
  if (upsampler_.n_mels == 0) return nullptr;
  return std::make_unique<StreamingSynthesis>(*this, seed, label, temperature);
}

GeneratorFacts CachedEngine::facts() const {
  GeneratorFacts f;
  f.kernels = plan_.kernels->name;
  f.precision = plan_.weights.post_skip.bf16 ? "bf16" : "fp32";
  f.threads = plan_.threads;
  f.flops_per_sample = model_flops_per_sample(plan_.weights);
  f.weight_bytes_per_step = plan_.weights.step_weight_bytes();
  f.receptive_field_samples = receptive_field_samples(plan_.weights.model);
  return f;
}

double model_flops_per_sample(const EngineWeights& w) {
  int64_t cond = 0;
  for (const auto& l : w.layers) cond += static_cast<int64_t>(l.local.k) * l.local.n;
  return 2.0 * static_cast<double>(w.macs_per_step() + cond);
}

}  // namespace wn
