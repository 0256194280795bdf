#pragma once
// The demo's built-in corpus: sentences spoken by several espeak-ng voices (22.05 kHz wavs in
// one folder per voice, so voices become labels), plus any ALSA sample recordings on the machine.

#include <filesystem>
#include <string>
#include <vector>

namespace wn::cli {

struct DemoCorpusOptions {
  int sentences = 12;  // per voice, from a built-in list
  int voices = 6;      // from a built-in list, skipping voices espeak-ng lacks
};

// Writes DIR/<voice>/<n>.wav (existing files are kept). Returns the number of wav files.
// Throws UserError when espeak-ng is missing.
int make_demo_corpus(const std::filesystem::path& dir, const DemoCorpusOptions& options);

}  // namespace wn::cli
