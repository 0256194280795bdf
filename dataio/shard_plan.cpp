#include "dataio/shard_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/strings.h"
#include "dataio/audio_io.h"

namespace wn {
namespace {

uint64_t fnv1a(const std::string& text, uint64_t hash = 1469598103934665603ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string hex(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::set<std::string> read_valid_list(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw UserError(file + ": cannot read data.valid_list");
  std::set<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    const std::string id = trim(line);
    if (!id.empty() && id[0] != '#') ids.insert(id);
  }
  return ids;
}

std::set<std::string> choose_valid(const std::vector<PlannedUtterance>& utterances,
                                   const DataConfig& data) {
  if (!data.valid_list.empty()) return read_valid_list(data.valid_list);
  std::vector<std::pair<uint64_t, std::string>> ranked;
  for (const auto& u : utterances) ranked.emplace_back(fnv1a(u.entry.id), u.entry.id);
  std::sort(ranked.begin(), ranked.end());
  auto count = static_cast<std::size_t>(std::llround(data.valid_fraction * ranked.size()));
  if (data.valid_fraction > 0 && ranked.size() >= 2) count = std::max<std::size_t>(count, 1);
  count = std::min(count, ranked.size() > 0 ? ranked.size() - 1 : 0);  // keep one for training
  std::set<std::string> ids;
  for (std::size_t i = 0; i < count; ++i) ids.insert(ranked[i].second);
  return ids;
}

std::vector<PlannedShard> pack(const std::vector<PlannedUtterance>& utterances, bool valid,
                               double bytes_per_sample, double shard_bytes) {
  std::vector<PlannedShard> shards;
  double filled = shard_bytes;  // forces a first shard
  for (const auto& u : utterances) {
    if (filled >= shard_bytes) {
      char name[32];
      std::snprintf(name, sizeof name, "%s-%05zu.h5", valid ? "valid" : "train", shards.size());
      shards.push_back(PlannedShard{name, valid, {}});
      filled = 0;
    }
    shards.back().utterances.push_back(u);
    filled += u.estimated_samples * bytes_per_sample;
  }
  return shards;
}

}  // namespace

FailedFile failure_of(const std::filesystem::path& path, const std::exception& error) {
  std::string reason = error.what();
  const std::string prefix = path.string() + ": ";
  if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
  return FailedFile{path.string(), reason};
}

ShardPlan plan_shards(const Corpus& corpus, const Config& config) {
  ShardPlan plan;
  std::set<std::string> label_names;
  for (const auto& e : corpus.entries) {
    if (!e.label.empty()) label_names.insert(e.label);
  }
  plan.labels.assign(label_names.begin(), label_names.end());
  std::map<std::string, int32_t> label_ids;
  for (std::size_t i = 0; i < plan.labels.size(); ++i) label_ids[plan.labels[i]] = static_cast<int32_t>(i);

  plan.unreadable = corpus.rejected;
  std::vector<PlannedUtterance> readable;
  for (const auto& e : corpus.entries) {
    try {
      const AudioInfo info = probe_audio(e.path);
      if (info.frames <= 0) throw IoError(e.path.string() + ": no audio samples (empty file)");
      PlannedUtterance u;
      u.entry = e;
      u.label = e.label.empty() ? -1 : label_ids[e.label];
      u.estimated_samples = static_cast<int64_t>(
          std::llround(static_cast<double>(info.frames) * config.audio.sample_rate / info.sample_rate));
      readable.push_back(std::move(u));
    } catch (const IoError& error) {
      plan.unreadable.push_back(failure_of(e.path, error));
    }
  }

  const std::set<std::string> valid_ids = choose_valid(readable, config.data);
  std::vector<PlannedUtterance> train, valid;
  for (auto& u : readable) (valid_ids.count(u.entry.id) ? valid : train).push_back(std::move(u));

  const double bytes_per_sample = 4.0 + 4.0 * config.audio.n_mels / config.audio.hop_length;
  const double shard_bytes = config.data.shard_size_mb * 1e6;
  plan.shards = pack(train, false, bytes_per_sample, shard_bytes);
  for (auto& s : pack(valid, true, bytes_per_sample, shard_bytes)) plan.shards.push_back(std::move(s));

  // Everything that changes a shard's contents goes into the fingerprint.
  Config recipe;
  recipe.audio = config.audio;
  recipe.data = config.data;
  uint64_t hash = fnv1a(config_to_yaml(recipe));
  for (const auto& s : plan.shards) {
    hash = fnv1a(s.file, hash);
    for (const auto& u : s.utterances) {
      hash = fnv1a(u.entry.id + "\n" + u.entry.path.string() + "\n" + std::to_string(u.label) +
                       "\n" + std::to_string(u.estimated_samples) + "\n" + format_double(u.entry.target),
                   hash);
    }
  }
  plan.fingerprint = hex(hash);
  return plan;
}

}  // namespace wn
