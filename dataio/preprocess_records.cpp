#include "dataio/preprocess_records.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "core/atomic_file.h"
#include "core/log.h"

namespace wn {

namespace fs = std::filesystem;

fs::path shard_record_path(const fs::path& out, const std::string& shard_file) {
  return out / kPreprocessStateDir / (shard_file + ".yaml");
}

void write_shard_record(const fs::path& path, const ShardRecord& r) {
  YAML::Emitter out;
  out.SetDoublePrecision(17);
  out << YAML::BeginMap << YAML::Key << "utterances" << YAML::Value << r.utterances
      << YAML::Key << "seconds" << YAML::Value << r.seconds << YAML::Key << "failures"
      << YAML::Value << YAML::BeginSeq;
  for (const auto& f : r.failures) {
    out << YAML::BeginMap << YAML::Key << "path" << YAML::Value << f.path << YAML::Key << "reason"
        << YAML::Value << f.reason << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::Key << "stats_frames" << YAML::Value << r.stats_frames
      << YAML::Key << "mel_sum" << YAML::Value << YAML::Flow << r.mel_sum << YAML::Key
      << "mel_sq_sum" << YAML::Value << YAML::Flow << r.mel_sq_sum << YAML::Key << "target_count" << YAML::Value
      << r.target_count << YAML::Key << "target_sum" << YAML::Value << r.target_sum << YAML::Key << "target_sq_sum"
      << YAML::Value << r.target_sq_sum << YAML::EndMap;
  write_file_atomically(path, std::string(out.c_str()) + "\n");
}

std::optional<ShardRecord> read_shard_record(const fs::path& path) {
  try {
    const YAML::Node n = YAML::LoadFile(path.string());
    ShardRecord r;
    r.utterances = n["utterances"].as<int64_t>();
    r.seconds = n["seconds"].as<double>();
    for (const auto& f : n["failures"]) r.failures.push_back({f["path"].as<std::string>(), f["reason"].as<std::string>()});
    r.stats_frames = n["stats_frames"].as<int64_t>();
    r.mel_sum = n["mel_sum"].as<std::vector<double>>();
    r.mel_sq_sum = n["mel_sq_sum"].as<std::vector<double>>();
    r.target_count = n["target_count"].as<int64_t>();
    r.target_sum = n["target_sum"].as<double>();
    r.target_sq_sum = n["target_sq_sum"].as<double>();
    if (r.utterances < 0 || r.stats_frames < 0 || r.target_count < 0) return std::nullopt;
    return r;
  } catch (const YAML::Exception& e) {
    WN_LOG(warn) << path.string() << ": damaged (" << e.what() << "); its shard is made again";
    return std::nullopt;
  }
}

void write_preprocess_report(const fs::path& file, std::vector<FailedFile> failures, const PreprocessResult& r) {
  std::sort(failures.begin(), failures.end(),
            [](const FailedFile& a, const FailedFile& b) { return a.path < b.path; });
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "utterances_landed" << YAML::Value << r.utterances;
  e << YAML::Key << "audio_hours" << YAML::Value << r.audio_seconds / 3600.0;
  e << YAML::Key << "ignored_non_audio_files" << YAML::Value << r.ignored_files;
  e << YAML::Key << "failures_count" << YAML::Value << failures.size();
  e << YAML::Key << "failures" << YAML::Value << YAML::BeginSeq;
  for (const auto& f : failures) {
    e << YAML::BeginMap << YAML::Key << "path" << YAML::Value << f.path << YAML::Key << "reason"
      << YAML::Value << f.reason << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  write_file_atomically(file, std::string(e.c_str()) + "\n");
}

Manifest build_manifest(const ShardPlan& plan, const std::vector<ShardRecord>& records,
                        const Config& config) {
  Manifest m;
  m.config = config;
  m.labels = plan.labels;
  const auto n_mels = static_cast<std::size_t>(config.audio.n_mels);
  std::vector<double> sum(n_mels, 0.0), sq(n_mels, 0.0);
  double target_sum = 0.0, target_sq = 0.0;
  for (std::size_t s = 0; s < plan.shards.size(); ++s) {
    const ShardRecord& r = records[s];
    m.target.utterances += r.target_count;
    target_sum += r.target_sum;
    target_sq += r.target_sq_sum;
    if (r.utterances == 0) continue;
    (plan.shards[s].valid ? m.valid_shards : m.train_shards)
        .push_back({plan.shards[s].file, r.utterances, r.seconds});
    m.stats_frames += r.stats_frames;
    for (std::size_t b = 0; b < n_mels && b < r.mel_sum.size(); ++b) {
      sum[b] += r.mel_sum[b];
      sq[b] += r.mel_sq_sum[b];
    }
  }
  for (std::size_t b = 0; b < n_mels; ++b) {
    const double n = std::max<double>(1.0, static_cast<double>(m.stats_frames));
    const double mean = sum[b] / n;
    m.mel_mean.push_back(mean);
    m.mel_std.push_back(std::sqrt(std::max(0.0, sq[b] / n - mean * mean)));
  }
  m.target.kind = config.data.target;
  if (m.target.present() && m.target.utterances > 0) {
    const auto n = static_cast<double>(m.target.utterances);
    m.target.mean = target_sum / n;
    const double spread = std::sqrt(std::max(0.0, target_sq / n - m.target.mean * m.target.mean));
    // A constant target has nothing to standardise; a unit deviation keeps it as it is.
    m.target.std = spread > 0 ? spread : 1.0;
  }
  return m;
}

}  // namespace wn
