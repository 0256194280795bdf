#pragma once
// Generating a list of clips with a loaded model's fast generator, exactly as `wavenet synth`
// does: mel-conditioned clips batched by length (or each folded into pieces), unconditional
// clips from silence or a prime, every clip with its own seed and label. `synth` and the Python
// module both call this, so they give the same audio for the same settings.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "dataio/features.h"
#include "experiments/synth_inputs.h"
#include "nets/generator.h"
#include "nets/model_loading.h"

namespace wn::cli {

// An input (its mel empty for unconditional clips) and how to generate it.
struct Clip : SynthInput {
  std::vector<float> prime;
  int64_t samples = 0;
  uint64_t seed = 0;
};

// A mel input as a clip: frames * hop samples, the run's seed (every input gets the same one, so
// a clip sounds the same in any batch).
Clip mel_clip(SynthInput input, const AudioConfig& recipe, int64_t seed);

// A prime as training saw it (`features` made by the recipe), cut to whole frames: the recipe
// pads the last frame with silence, which a continuation should not follow. Throws UserError
// naming `source` when it is shorter than one frame.
std::vector<float> prime_samples(const UtteranceFeatures& features, const AudioConfig& recipe, const std::string& source);

// `count` unconditional clips of `seconds` after the prime (empty: from silence), seeds seed,
// seed+1, ...; named `stem`, or stem_000, stem_001, ... when there are several.
std::vector<Clip> unconditional_clips(const std::vector<float>& prime, double seconds, int count, int64_t seed,
                                      const std::string& stem, const std::string& source, int sample_rate);

// engine.fold from "auto" (0) or a number of pieces from 1 (off) to 256; `flag` names it in errors.
int fold_setting(const std::string& value, const std::string& flag);

struct ClipGenerationOptions {
  EngineConfig engine;
  bool announce = true;  // the engine's settings on one stderr line
  bool progress = true;  // a progress bar on stderr
};

// A model's fast generator with the engine settings. Throws UserError for a family without one.
std::unique_ptr<Generator> engine_generator(const LoadedModel& model, const EngineConfig& engine, bool announce);

// Calls `write(clip, audio)` for every clip as soon as it is done, the audio in the model's time
// domain (EmphasisUndo takes it back to plain audio). Clips of a mel-conditioned model are folded
// unless engine.fold is 1.
void generate_clips(const std::vector<Clip>& clips, const LoadedModel& model, const ClipGenerationOptions& options,
                    const std::function<void(const Clip&, const std::vector<float>&)>& write);

// engine.* of `base` with key=value settings (engine.* keys only) over it, validated as a config
// file's would be; `origin` names where the base came from in errors.
EngineConfig engine_with_overrides(const Config& base, const std::string& origin, const std::vector<std::string>& overrides);

}  // namespace wn::cli
