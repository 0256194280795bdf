#pragma once
// `wavenet preprocess`: a corpus to HDF5 shards + manifest.yaml + report.yaml.
// Decoding, resampling and mel run on worker threads; every HDF5 call happens on the calling
// thread (the library holds one global lock). Each shard is written under a temporary name and
// renamed when complete; a per-shard record in OUTPUT_DIR/.preprocess/ marks it done, so a rerun
// after a crash redoes only unfinished shards.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/config/config.h"

namespace wn {

// One of N parts of a split run (dataio/preprocess_parts.h), index 1..count; count 0 is the whole
// corpus. Also how `synth --part` splits its inputs.
struct CorpusPart {
  int index = 0;
  int count = 0;
  bool whole() const { return count == 0; }
  // Whether this part handles item i of a deterministic order (the plan's shards, synth's clips).
  bool owns(std::size_t i) const { return whole() || static_cast<int>(i % static_cast<std::size_t>(count)) == index - 1; }
  std::string name() const { return std::to_string(index) + "/" + std::to_string(count); }
};

struct PreprocessOptions {
  bool force = false;          // delete earlier outputs in OUTPUT_DIR and start over
  bool show_progress = true;
  // Mels made elsewhere (a TTS front end's teacher-forced output) instead of the recipe's:
  // MELS_FROM/<utterance id>.npy, (frames, n_mels) or (n_mels, frames) with mel_bins_first.
  // Trimming is turned off (it would misalign them); an utterance without a fitting mel is
  // reported and skipped.
  std::filesystem::path mels_from;
  bool mel_bins_first = false;
  // A part of a split run: only its shards, its own report (report.part-I-of-N.yaml), no
  // manifest (merge_preprocess_parts writes it). --force is refused: it would delete the others'.
  CorpusPart part;
  // Called after each shard is complete on disk (tests use it to simulate a crash).
  std::function<void(const std::string& shard_file)> on_shard_done;
};

struct PreprocessResult {
  int64_t utterances = 0;       // landed, in all shards (including resumed ones)
  double audio_seconds = 0.0;   // landed
  int64_t failures = 0;         // files skipped, listed in report.yaml
  int64_t ignored_files = 0;    // non-audio files in the input directory
  int shards_written = 0;       // this run
  int shards_resumed = 0;       // complete from an earlier run
  double wall_seconds = 0.0;
  double processed_audio_seconds = 0.0;  // decoded by this run
  // Seconds of audio processed per wall-clock second, by this run.
  double speed() const { return wall_seconds > 0 ? processed_audio_seconds / wall_seconds : 0.0; }
};

// Throws UserError for unusable input or output directories, and when no utterance landed.
PreprocessResult preprocess_corpus(const std::filesystem::path& input,
                                   const std::filesystem::path& output_dir, const Config& config,
                                   const PreprocessOptions& options = {});

// Features only, in memory, nothing written: the preprocessing speed of this machine on this
// corpus (`wavenet bench preprocess`). Returns audio seconds per wall second.
double benchmark_feature_extraction(const std::filesystem::path& input, const Config& config,
                                    int max_files, bool show_progress);

}  // namespace wn
