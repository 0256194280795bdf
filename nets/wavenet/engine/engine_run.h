#pragma once
// One generation in progress on the cached engine: the state of B utterances (ring buffers of
// past layer inputs, the next step's inputs, samplers) and the stages one step is made of.
// A run advances step by step for as long as its caller has conditioning for: the whole
// utterance at once (CachedEngine::generate) or the frames received so far (streaming).
//
// A step, on every member of the thread team (T threads, each owning a slice of every layer's
// gate columns):
//   conditioning   every `chunk` steps: each layer's conditioning for the next chunk of steps
//                  (bias + projected mel rows through the last upsampling stage + pitch
//                  source + label term);
//   layer (x L)    gather the dilated taps, one product into the thread's gate columns, the
//                  gated activation, the thread's share of the skip sum; one barrier; the
//                  residual update (small, so every thread computes all of it: no 2nd barrier);
//   output         the skip sum over threads, two products (same on every thread);
//   sampling       each row's next sample from its own seeded generator (with linear
//                  prediction: its excitation, plus the prediction from the row's last samples).

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "core/kernels/kernels.h"
#include "nets/generator.h"
#include "nets/wavenet/engine/engine_weights.h"
#include "nets/wavenet/linear_prediction.h"
#include "nets/wavenet/pitch_rows.h"

namespace wn {

class ThreadTeam;

// What a run reads and never changes: built once per engine.
struct EnginePlan {
  EngineWeights weights;                              // gate columns grouped by thread
  std::vector<std::vector<PackedMatrix>> taps_slices; // [layer][thread]: the thread's gate columns, contiguous
  std::vector<std::vector<PackedMatrix>> skip_slices; // [layer][thread]: the skip rows of those gated columns
  const kernels::KernelTable* kernels = nullptr;
  int threads = 1;
  int chunk = 128;
  int scale = 1;                  // of the upsampler's last stage (it runs per chunk)
  std::vector<float> phase_taps;  // that stage as polyphase taps, 3 per phase
};

// Builds the plan: groups gate columns by thread and cuts the per-thread slices; bf16 weights
// go into the k-pair layout when the kernel table asks for it.
EnginePlan make_engine_plan(EngineWeights weights, int threads, int chunk, const kernels::KernelTable& kernels,
                            int last_scale, std::vector<float> last_stage_taps);

// The last upsampling stage's input rows: (B, capacity, n_mels) row-major. Rows [0, count)
// exist; rows from count on read as zero, which is that stage's zero padding once the
// utterance is known to end at `count`. A run must not be advanced past the samples whose rows
// are not final yet (streaming knows which those are).
struct StageRows {
  const float* data = nullptr;  // null: no local conditioning
  int64_t capacity = 0;         // rows of data per batch row
  int64_t count = 0;
  int64_t first = 0;  // the index of data's first row (a stream drops rows no step reads any more)
};

// Where a run's steps go, and what it reads besides the conditioning.
struct StepSinks {
  float* audio = nullptr;  // audio[b * audio_stride + (t - first_step)]
  int64_t audio_stride = 0;
  int64_t first_step = 0;
  float* outputs = nullptr;  // optional: outputs[(b * out_channels + c) * outputs_stride + t]
  int64_t outputs_stride = 0;
  const float* teacher = nullptr;  // (B, teacher_steps): fed back instead of sampling
  int64_t teacher_steps = 0;
  // Models with linear prediction: every row's predictors (the run samples excitations and
  // adds the prediction); must be set for them.
  const PredictorRows* predictors = nullptr;
  // Pitch-conditioned models: every row's pitch source, from its mel rows; must be set for them.
  const PitchRows* pitch = nullptr;
  const std::function<void(int64_t)>* on_step = nullptr;
};

class EngineRun {
 public:
  // label_terms: (L, B, gate) each layer's label term, or empty. seeds: one per row.
  EngineRun(const EnginePlan& plan, int batch, const std::vector<uint64_t>& seeds, std::vector<float> label_terms,
            double temperature);
  ~EngineRun();

  // Runs steps [steps(), t_end) on the team.
  void advance(int64_t t_end, const StageRows& rows, const StepSinks& sinks, ThreadTeam& team);
  int64_t steps() const { return t_; }
  const GenerationTimings& timings() const { return timings_; }

  // The buffers members share and those each keeps to itself (engine_run.cpp).
  struct Shared;
  struct Member;

 private:
  const EnginePlan& plan_;
  int batch_;
  int64_t t_ = 0;
  std::vector<float> label_terms_;
  double temperature_;
  GenerationTimings timings_;
  std::unique_ptr<Shared> shared_;
  std::vector<Member> members_;
};

}  // namespace wn
