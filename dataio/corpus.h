#pragma once
// Finding the utterances of a corpus. INPUT may be:
//   - a directory, searched recursively for audio files (other files are counted and ignored);
//   - an LJSpeech-style folder: metadata.csv ("id|text|..." lines) beside a wavs/ folder;
//   - a text file listing one audio path per line, optionally followed by "|column|column...".
// Labels for global conditioning come from the parent folder name, a metadata column, or nowhere.
// A scalar target per utterance (data.target) comes from metadata columns; a row whose target
// cannot be read is rejected (reported, not fatal) and its utterance left out.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

// A file (or a metadata row) that did not make it into the shards, and why.
struct FailedFile {
  std::string path;
  std::string reason;
};

struct CorpusEntry {
  std::string id;                 // unique within the corpus
  std::filesystem::path path;
  std::string label;              // "" when data.label_source is none
  double target = 0.0;            // data.target's value (0 when data.target is none)
};

struct Corpus {
  std::vector<CorpusEntry> entries;  // sorted by id
  std::vector<FailedFile> rejected;  // rows whose target could not be read
  int64_t ignored_files = 0;         // non-audio files in a scanned directory
  std::string layout;                // "directory", "ljspeech" or "list"
};

// Throws UserError when INPUT does not exist or a label or target rule cannot be applied to its
// layout.
Corpus scan_corpus(const std::filesystem::path& input, const DataConfig& data);

// data.target's value for a metadata row split into columns (column 0 the path or id); throws
// std::invalid_argument with the reason when a column is missing, not a number, or (popularity)
// a count is not positive.
double target_of_row(const std::vector<std::string>& columns, const DataConfig& data);

}  // namespace wn
