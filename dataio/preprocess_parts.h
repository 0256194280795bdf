#pragma once
// One corpus preprocessed as N independent parts (a SLURM array job, or any launcher) into one
// shared OUTPUT_DIR, then merged. Every part makes the same deterministic plan of the whole corpus
// (dataio/shard_plan.h) and writes the shards s with s % N == I - 1: round robin over the plan, so
// the parts are balanced, stable under reruns, and each shard holds the bytes one run would write,
// with the record one run would keep. The plan goes to .preprocess/plan.yaml; `merge` sums the
// records in plan order into manifest.yaml (statistics, labels and targets as one run makes them)
// and report.yaml, or names the parts that have not finished.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/config/config.h"
#include "dataio/preprocess.h"
#include "dataio/shard_plan.h"

namespace wn {

// "I/N" with 1 <= I <= N (CorpusPart in preprocess.h); throws UserError otherwise.
CorpusPart parse_corpus_part(const std::string& spec);

// What every part knows of the whole corpus, for the merge.
struct SplitCorpus {
  std::string input;          // as the parts were given it
  int64_t ignored_files = 0;  // non-audio files the scan skipped
};

// Writes OUT/.preprocess/plan.yaml (the part count, the plan's shards and labels, the files that
// failed before planning, the config and the corpus), the same from every part. Throws UserError
// when the directory is split into another number of parts.
void record_split_plan(const std::filesystem::path& out, const ShardPlan& plan, const Config& config, const SplitCorpus& corpus,
                       int parts);

// Joins the parts into manifest.yaml and report.yaml. Throws UserError when OUT holds no split
// plan, when a part has not finished (naming it), or when no utterance landed.
PreprocessResult merge_preprocess_parts(const std::filesystem::path& out);

}  // namespace wn
