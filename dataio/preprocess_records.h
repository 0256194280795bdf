#pragma once
// What preprocess keeps between runs and between the parts of a split run: one record per
// finished shard (.preprocess/<shard>.yaml, the shard's done mark, with the exact sums the
// manifest's statistics are made from), the manifest built from a plan's records in plan order,
// and report.yaml.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "dataio/corpus.h"
#include "dataio/manifest.h"
#include "dataio/preprocess.h"
#include "dataio/shard_plan.h"

namespace wn {

inline constexpr const char* kPreprocessStateDir = ".preprocess";

struct ShardRecord {
  int64_t utterances = 0;
  double seconds = 0.0;
  std::vector<FailedFile> failures;
  int64_t stats_frames = 0;
  std::vector<double> mel_sum, mel_sq_sum;
  int64_t target_count = 0;  // training utterances with a target, and their sums
  double target_sum = 0.0, target_sq_sum = 0.0;
};

std::filesystem::path shard_record_path(const std::filesystem::path& out, const std::string& shard_file);
void write_shard_record(const std::filesystem::path& path, const ShardRecord& record);
// nullopt for a record that does not read back (damaged by hand or by a disk): it only costs
// redoing its shard.
std::optional<ShardRecord> read_shard_record(const std::filesystem::path& path);

// The manifest of `plan` (its shards' files and split, its labels) from one record per shard,
// summed in plan order, so every way of producing the records gives the same statistics.
Manifest build_manifest(const ShardPlan& plan, const std::vector<ShardRecord>& records, const Config& config);

// `file` lists the counts of `r` and every failure, sorted by path.
void write_preprocess_report(const std::filesystem::path& file, std::vector<FailedFile> failures, const PreprocessResult& r);

}  // namespace wn
