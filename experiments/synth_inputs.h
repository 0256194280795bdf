#pragma once
// What `wavenet synth` generates from: mel spectrograms (.npy), wav files (copy-synthesis with
// the checkpoint's own audio recipe) and utterances of preprocessed HDF5 shards, each turned
// into frames x n_mels in the recipe's compression. A bad input is reported on stderr and
// skipped; the others are still returned.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn::cli {

struct SynthInputArgs {
  std::vector<std::string> mels;
  std::vector<std::string> wavs;
  std::vector<std::string> shards;
  std::vector<std::string> utterances;  // names to take from the shards; empty: all
  bool mel_bins_first = false;          // .npy files are (n_mels, frames)
  std::string mel_recipe;               // .npy files are of this recipe (dataio/mel_recipe.h): converted
};

struct SynthInput {
  std::string name;        // output file stem
  std::string source;      // for messages: the file, or shard:utterance
  std::vector<float> mel;  // frames x n_mels
  bool made_elsewhere = false;  // a .npy mel, not made by the checkpoint's recipe here
  int32_t label = -1;      // a shard utterance's label id, else -1
  std::string label_name;  // its name, from the manifest beside the shard (if there is one)
};

bool has_inputs(const SynthInputArgs& args);

// Reports a bad input on stderr in the CLI's error format and counts it; the caller skips it.
void report_input_error(const std::string& message, int& failures);

// `failures` counts the inputs reported and skipped.
std::vector<SynthInput> load_synth_inputs(const SynthInputArgs& args, const AudioConfig& recipe, int& failures);

}  // namespace wn::cli
