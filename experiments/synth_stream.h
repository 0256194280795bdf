#pragma once
// `wavenet synth --stream`: mel frames from standard input as a TTS front end produces them
// (raw float32, n_mels values per frame, the machine's byte order), audio out as soon as it is
// final: raw float32 samples on standard output (`--out -`), or a wav written at the end.

#include <cstdint>
#include <string>

#include "nets/generator.h"
#include "nets/model_loading.h"

namespace wn::cli {

struct StreamSettings {
  uint64_t seed = 0;
  int64_t label = -1;
  double temperature = 1.0;
  std::string out;  // "-": standard output
  bool float_wav = false;
};

// Returns the number of samples written.
int64_t synthesize_stream(Generator& generator, const LoadedModel& model, const StreamSettings& settings);

}  // namespace wn::cli
