#pragma once
// Finding the utterances of a corpus. INPUT may be:
//   - a directory, searched recursively for audio files (other files are counted and ignored);
//   - an LJSpeech-style folder: metadata.csv ("id|text|..." lines) beside a wavs/ folder;
//   - a text file listing one audio path per line, optionally followed by "|column|column...".
// Labels for global conditioning come from the parent folder name, a metadata column, or nowhere.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct CorpusEntry {
  std::string id;                 // unique within the corpus
  std::filesystem::path path;
  std::string label;              // "" when data.label_source is none
};

struct Corpus {
  std::vector<CorpusEntry> entries;  // sorted by id
  int64_t ignored_files = 0;         // non-audio files in a scanned directory
  std::string layout;                // "directory", "ljspeech" or "list"
};

// Throws UserError when INPUT does not exist or a label rule cannot be applied to its layout.
Corpus scan_corpus(const std::filesystem::path& input, const DataConfig& data);

}  // namespace wn
