#pragma once
// What `wavenet demo` generates from its trained model, by the kind of model it trained:
// copy-synthesis of held-out utterances (mel-conditioned models, compared with Griffin-Lim and
// the originals), or primed continuations of held-out recordings plus clips from silence
// (unconditional models). Each writes wavs and spectrogram pictures under OUT/samples.

#include <filesystem>
#include <string>

#include "dataio/objective_metrics.h"
#include "nets/model_loading.h"

namespace wn::cli {

struct DemoGenerationOptions {
  std::filesystem::path out;     // the demo's output directory
  std::filesystem::path shards;  // preprocessed data (its validation split is held out)
  int clips = 4;
  double seconds = 1.0;          // generated per clip (after the prime, for continuations)
  double prime_seconds = 1.0;    // continuations only
  int threads = 1;
};

struct CopySynthesisReport {
  int clips = 0;
  double clip_seconds = 0, wall_seconds = 0, real_time = 0;
  DirectoryComparison model, griffin_lim;
};

struct ContinuationReport {
  int primed = 0, unconditional = 0;
  double clip_seconds = 0, wall_seconds = 0, real_time = 0;
};

// OUT/samples/{reference,<model.type>,griffin_lim,plots}.
CopySynthesisReport demo_copy_synthesis(const LoadedModel& model, const DemoGenerationOptions& options);
// OUT/samples/{primed,unconditional,plots}: continuations of the starts of held-out recordings
// (their real continuation in the pictures beside), and clips from silence.
ContinuationReport demo_continuations(const LoadedModel& model, const DemoGenerationOptions& options);

}  // namespace wn::cli
