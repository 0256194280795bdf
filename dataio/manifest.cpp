#include "dataio/manifest.h"

#include <yaml-cpp/yaml.h>

#include "core/atomic_file.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/shard_format.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

void emit_shards(YAML::Emitter& out, const std::vector<ShardEntry>& shards) {
  out << YAML::BeginSeq;
  for (const auto& s : shards) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "file" << YAML::Value << s.file
        << YAML::Key << "utterances" << YAML::Value << s.utterances << YAML::Key << "seconds"
        << YAML::Value << s.seconds << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

std::vector<ShardEntry> read_shards(const YAML::Node& node) {
  std::vector<ShardEntry> shards;
  for (const auto& s : node) {
    shards.push_back({s["file"].as<std::string>(), s["utterances"].as<int64_t>(),
                      s["seconds"].as<double>()});
  }
  return shards;
}

}  // namespace

int64_t Manifest::utterances(bool valid) const {
  int64_t total = 0;
  for (const auto& s : valid ? valid_shards : train_shards) total += s.utterances;
  return total;
}

double Manifest::seconds(bool valid) const {
  double total = 0;
  for (const auto& s : valid ? valid_shards : train_shards) total += s.seconds;
  return total;
}

void write_manifest(const fs::path& dir, const Manifest& m, const std::string& input_description) {
  YAML::Emitter out;
  out.SetDoublePrecision(9);
  out << YAML::BeginMap;
  out << YAML::Key << "format_version" << YAML::Value << shard::kFormatVersion;
  out << YAML::Key << "input" << YAML::Value << input_description;
  out << YAML::Key << "totals" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "train_utterances" << YAML::Value << m.utterances(false);
  out << YAML::Key << "valid_utterances" << YAML::Value << m.utterances(true);
  out << YAML::Key << "train_hours" << YAML::Value << m.seconds(false) / 3600.0;
  out << YAML::Key << "valid_hours" << YAML::Value << m.seconds(true) / 3600.0;
  out << YAML::Key << "failures" << YAML::Value << m.failures;
  out << YAML::EndMap;
  out << YAML::Key << "train_shards" << YAML::Value;
  emit_shards(out, m.train_shards);
  out << YAML::Key << "valid_shards" << YAML::Value;
  emit_shards(out, m.valid_shards);
  out << YAML::Key << "labels" << YAML::Value << YAML::Flow << m.labels;
  out << YAML::Key << "mel_stats" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "frames" << YAML::Value << m.stats_frames;
  out << YAML::Key << "mean" << YAML::Value << YAML::Flow << m.mel_mean;
  out << YAML::Key << "std" << YAML::Value << YAML::Flow << m.mel_std;
  out << YAML::EndMap;
  out << YAML::Key << "config" << YAML::Value << YAML::Load(config_to_yaml(m.config));
  out << YAML::EndMap;
  write_file_atomically(dir / Manifest::kFileName, std::string(out.c_str()) + "\n");
}

Manifest read_manifest(const fs::path& dir) {
  const fs::path path = dir / Manifest::kFileName;
  if (!fs::exists(path)) {
    throw UserError(path.string() + ": not found; is " + dir.string() +
                    " the output of 'wavenet preprocess'?");
  }
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    const int version = root["format_version"].as<int>();
    if (version != shard::kFormatVersion) {
      throw UserError(path.string() + ": format version " + std::to_string(version) +
                      ", this program reads " + std::to_string(shard::kFormatVersion));
    }
    Manifest m;
    m.train_shards = read_shards(root["train_shards"]);
    m.valid_shards = read_shards(root["valid_shards"]);
    m.labels = root["labels"].as<std::vector<std::string>>();
    m.stats_frames = root["mel_stats"]["frames"].as<int64_t>();
    m.mel_mean = root["mel_stats"]["mean"].as<std::vector<double>>();
    m.mel_std = root["mel_stats"]["std"].as<std::vector<double>>();
    m.failures = root["totals"]["failures"].as<int64_t>();
    YAML::Emitter config_text;
    config_text << root["config"];
    m.config = config_from_yaml(config_text.c_str(), path.string() + " (config)");
    return m;
  } catch (const YAML::Exception& e) {
    throw UserError(path.string() + ": malformed manifest: " + e.what());
  }
}

}  // namespace wn
