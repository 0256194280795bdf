#pragma once
// Deciding, before any decoding, which utterance goes to which shard. The plan depends only on
// the corpus, its headers and the config, so an interrupted run recomputes the same plan and
// resumes shard by shard.

#include <cstdint>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "dataio/corpus.h"

namespace wn {

// The report entry for a file that failed with `error`; the reason drops the path prefix that
// IoError messages carry, since the path has its own field.
FailedFile failure_of(const std::filesystem::path& path, const std::exception& error);

struct PlannedUtterance {
  CorpusEntry entry;
  int32_t label = -1;
  int64_t estimated_samples = 0;  // at config.audio.sample_rate, before trimming
};

struct PlannedShard {
  std::string file;  // "train-00000.h5"
  bool valid = false;
  std::vector<PlannedUtterance> utterances;
};

struct ShardPlan {
  std::vector<PlannedShard> shards;
  std::vector<std::string> labels;          // label id -> name
  std::vector<FailedFile> unreadable;       // failed the header probe, or the corpus rejected their row
  std::string fingerprint;                  // changes when corpus or recipe changes
};

// Validation ids come from data.valid_list when set, else the data.valid_fraction of utterances
// with the smallest hash of their id (at least one when the fraction is positive and there are
// two or more utterances).
ShardPlan plan_shards(const Corpus& corpus, const Config& config);

}  // namespace wn
