#include "dataio/manifest.h"

#include <yaml-cpp/yaml.h>

#include <cmath>

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

std::vector<ShardEntry> read_shards(const YAML::Node& node, const fs::path& path) {
  std::vector<ShardEntry> shards;
  for (const auto& s : node) {
    ShardEntry entry{s["file"].as<std::string>(), s["utterances"].as<int64_t>(), s["seconds"].as<double>()};
    const fs::path file(entry.file);
    if (entry.file.empty() || file.is_absolute() || file.has_parent_path()) {
      throw UserError(path.string() + ": shard file '" + entry.file + "' is not a file name in the corpus directory");
    }
    if (entry.utterances < 0 || !(entry.seconds >= 0)) {
      throw UserError(path.string() + ": shard " + entry.file + " has a negative or invalid size");
    }
    shards.push_back(entry);
  }
  return shards;
}

// Mel statistics normalise every frame the model sees: one finite mean and a positive finite
// deviation per mel bin.
void check_mel_stats(const Manifest& m, const fs::path& path) {
  const auto bins = static_cast<std::size_t>(m.config.audio.n_mels);
  if (m.mel_mean.size() != bins || m.mel_std.size() != bins) {
    throw UserError(path.string() + ": mel_stats has " + std::to_string(m.mel_mean.size()) + " means and " +
                    std::to_string(m.mel_std.size()) + " deviations for n_mels " + std::to_string(bins));
  }
  for (std::size_t b = 0; b < bins; ++b) {
    if (!std::isfinite(m.mel_mean[b]) || !std::isfinite(m.mel_std[b]) || m.mel_std[b] < 0) {
      throw UserError(path.string() + ": mel_stats of bin " + std::to_string(b) + " are not finite (or the deviation is negative)");
    }
  }
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
  out << YAML::Key << "format_version" << YAML::Value
      << (m.target.present() ? shard::kFormatVersionWithTargets : shard::kFormatVersionWithoutTargets);
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
  if (m.target.present()) {
    out << YAML::Key << "target" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "kind" << YAML::Value << m.target.kind;
    out << YAML::Key << "utterances" << YAML::Value << m.target.utterances;
    out << YAML::Key << "mean" << YAML::Value << m.target.mean;
    out << YAML::Key << "std" << YAML::Value << m.target.std;
    out << YAML::EndMap;
  }
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
    if (version != shard::kFormatVersionWithoutTargets && version != shard::kFormatVersionWithTargets) {
      throw UserError(path.string() + ": format version " + std::to_string(version) + ", this program reads " +
                      std::to_string(shard::kFormatVersionWithoutTargets) + " and " +
                      std::to_string(shard::kFormatVersionWithTargets));
    }
    Manifest m;
    m.train_shards = read_shards(root["train_shards"], path);
    m.valid_shards = read_shards(root["valid_shards"], path);
    m.labels = root["labels"].as<std::vector<std::string>>();
    m.stats_frames = root["mel_stats"]["frames"].as<int64_t>();
    m.mel_mean = root["mel_stats"]["mean"].as<std::vector<double>>();
    m.mel_std = root["mel_stats"]["std"].as<std::vector<double>>();
    m.failures = root["totals"]["failures"].as<int64_t>();
    if (const YAML::Node target = root["target"]) {
      m.target.kind = target["kind"].as<std::string>();
      m.target.utterances = target["utterances"].as<int64_t>();
      m.target.mean = target["mean"].as<double>();
      m.target.std = target["std"].as<double>();
      if (!std::isfinite(m.target.mean) || !(m.target.std > 0) || !std::isfinite(m.target.std)) {
        throw UserError(path.string() + ": target statistics must be a finite mean and a positive deviation");
      }
    }
    YAML::Emitter config_text;
    config_text << root["config"];
    m.config = config_from_yaml(config_text.c_str(), path.string() + " (config)");
    check_mel_stats(m, path);
    return m;
  } catch (const YAML::Exception& e) {
    throw UserError(path.string() + ": malformed manifest: " + e.what());
  }
}

}  // namespace wn
