#include "dataio/preprocess_parts.h"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>

#include "core/atomic_file.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/manifest.h"
#include "dataio/preprocess_records.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

fs::path plan_path(const fs::path& out) { return out / kPreprocessStateDir / "plan.yaml"; }

struct SplitPlan {
  int parts = 0;
  SplitCorpus corpus;
  Config config;
  ShardPlan plan;  // shards' files and split, labels, unreadable files (no utterances)
};

SplitPlan read_split_plan(const fs::path& out) {
  const fs::path path = plan_path(out);
  if (!fs::exists(path)) {
    throw UserError(out.string() + ": no split preprocess to merge (" + path.string() + " is missing: run the parts with --part I/N first)");
  }
  try {
    const YAML::Node n = YAML::LoadFile(path.string());
    SplitPlan s;
    s.parts = n["parts"].as<int>();
    s.corpus.input = n["input"].as<std::string>();
    s.corpus.ignored_files = n["ignored_files"].as<int64_t>();
    s.config = config_from_yaml(n["config"].as<std::string>(), path.string() + " (config)");
    s.plan.labels = n["labels"].as<std::vector<std::string>>();
    for (const auto& shard : n["shards"]) s.plan.shards.push_back({shard["file"].as<std::string>(), shard["valid"].as<bool>(), {}});
    for (const auto& f : n["unreadable"]) s.plan.unreadable.push_back({f["path"].as<std::string>(), f["reason"].as<std::string>()});
    if (s.parts < 1) throw UserError(path.string() + ": parts must be positive");
    return s;
  } catch (const YAML::Exception& e) {
    throw UserError(path.string() + ": damaged (" + e.msg + "); run any part again to rewrite it");
  }
}

}  // namespace

CorpusPart parse_corpus_part(const std::string& spec) {
  const std::size_t slash = spec.find('/');
  CorpusPart part;
  try {
    std::size_t used_i = 0, used_n = 0;
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    part.index = std::stoi(spec.substr(0, slash), &used_i);
    part.count = std::stoi(spec.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != spec.size() - slash - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw UserError("--part " + spec + ": give I/N, e.g. 2/8 (part I of N, I from 1 to N)");
  }
  if (part.count < 1 || part.index < 1 || part.index > part.count) {
    throw UserError("--part " + spec + ": I must be from 1 to N, and N positive");
  }
  return part;
}

void record_split_plan(const fs::path& out, const ShardPlan& plan, const Config& config, const SplitCorpus& corpus, int parts) {
  const fs::path path = plan_path(out);
  if (fs::exists(path)) {
    int recorded = 0;
    try {
      recorded = YAML::LoadFile(path.string())["parts"].as<int>();
    } catch (const YAML::Exception&) {
      recorded = 0;  // damaged: rewritten below
    }
    if (recorded > 0 && recorded != parts) {
      throw UserError(out.string() + ": is split into " + std::to_string(recorded) + " parts, not " + std::to_string(parts) +
                      "; use --part I/" + std::to_string(recorded) + ", or clear the directory to split it again");
    }
  }
  YAML::Emitter e;
  e << YAML::BeginMap << YAML::Key << "parts" << YAML::Value << parts << YAML::Key << "input" << YAML::Value << corpus.input
    << YAML::Key << "ignored_files" << YAML::Value << corpus.ignored_files;
  e << YAML::Key << "config" << YAML::Value << YAML::Literal << config_to_yaml(config);
  e << YAML::Key << "labels" << YAML::Value << YAML::Flow << plan.labels;
  e << YAML::Key << "shards" << YAML::Value << YAML::BeginSeq;
  for (const PlannedShard& s : plan.shards) {
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "file" << YAML::Value << s.file << YAML::Key << "valid" << YAML::Value << s.valid
      << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::Key << "unreadable" << YAML::Value << YAML::BeginSeq;
  for (const FailedFile& f : plan.unreadable) {
    e << YAML::BeginMap << YAML::Key << "path" << YAML::Value << f.path << YAML::Key << "reason" << YAML::Value << f.reason << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  write_file_atomically(path, std::string(e.c_str()) + "\n");
}

PreprocessResult merge_preprocess_parts(const fs::path& out) {
  const auto start = std::chrono::steady_clock::now();
  const SplitPlan split = read_split_plan(out);
  const std::size_t shards = split.plan.shards.size();
  std::vector<ShardRecord> records(shards);
  std::map<int, int> unfinished;  // part index -> its shards without a record (or without the shard)
  for (std::size_t s = 0; s < shards; ++s) {
    const std::string& file = split.plan.shards[s].file;
    const fs::path record = shard_record_path(out, file);
    const std::optional<ShardRecord> done = fs::exists(record) ? read_shard_record(record) : std::nullopt;
    if (done && (done->utterances == 0 || fs::exists(out / file))) {
      records[s] = *done;
    } else {
      ++unfinished[static_cast<int>(s % static_cast<std::size_t>(split.parts)) + 1];
    }
  }
  if (!unfinished.empty()) {
    std::string parts;
    for (const auto& [index, missing] : unfinished) {
      parts += (parts.empty() ? "" : ", ") + std::to_string(index) + "/" + std::to_string(split.parts) + " (" + std::to_string(missing) +
               " shard" + (missing == 1 ? "" : "s") + " missing)";
    }
    throw UserError(out.string() + ": part" + (unfinished.size() == 1 ? " " : "s ") + parts +
                    " not finished; run " + (unfinished.size() == 1 ? "it" : "them") + " again (they resume), then merge");
  }

  PreprocessResult result;
  result.ignored_files = split.corpus.ignored_files;
  std::vector<FailedFile> failures = split.plan.unreadable;
  for (const ShardRecord& r : records) {
    failures.insert(failures.end(), r.failures.begin(), r.failures.end());
    result.utterances += r.utterances;
    result.audio_seconds += r.seconds;
  }
  result.failures = static_cast<int64_t>(failures.size());
  result.shards_resumed = static_cast<int>(shards);
  write_preprocess_report(out / "report.yaml", failures, result);
  if (result.utterances == 0) {
    throw UserError("no utterance landed: all " + std::to_string(failures.size()) + " audio files failed (see " +
                    (out / "report.yaml").string() + ")");
  }
  Manifest manifest = build_manifest(split.plan, records, split.config);
  manifest.failures = result.failures;
  write_manifest(out, manifest, split.corpus.input);
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace wn
