#pragma once
// manifest.yaml of a preprocessed corpus: which shards hold the train and valid splits, label
// names, mel (and target) statistics of the training split, and the resolved config that made it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct ShardEntry {
  std::string file;  // relative to the manifest's directory
  int64_t utterances = 0;
  double seconds = 0.0;
};

// The per-utterance scalar target of a corpus preprocessed with data.target: its kind and its
// mean and standard deviation over the training split (models learn it standardised).
struct TargetStats {
  std::string kind = "none";  // data.target: none | column | popularity
  int64_t utterances = 0;     // training utterances the statistics cover
  double mean = 0.0;
  double std = 1.0;
  bool present() const { return kind != "none"; }
};

struct Manifest {
  static constexpr const char* kFileName = "manifest.yaml";
  std::vector<ShardEntry> train_shards;
  std::vector<ShardEntry> valid_shards;
  std::vector<std::string> labels;  // label id i has name labels[i]
  int64_t stats_frames = 0;
  std::vector<double> mel_mean;      // per mel bin, over the training split
  std::vector<double> mel_std;
  TargetStats target;
  int64_t failures = 0;
  Config config;  // the resolved config the corpus was made with

  int64_t utterances(bool valid) const;
  double seconds(bool valid) const;
};

void write_manifest(const std::filesystem::path& dir, const Manifest& manifest,
                    const std::string& input_description);
// Throws UserError naming the file when it is missing or malformed.
Manifest read_manifest(const std::filesystem::path& dir);

}  // namespace wn
