#pragma once
// Reads shards written by write_shard: the utterance table up front, audio and mel ranges on
// demand (hyperslab reads). HDF5 serialises all calls behind one lock, so use a reader from one
// thread (the loader's IO thread).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dataio/hdf5_handle.h"
#include "dataio/shard_format.h"

namespace wn {

class ShardReader {
 public:
  // Throws IoError naming the file when it is not a shard of a known format version, or when its
  // tables disagree (offsets not from 0 to the data's length, decreasing, audio not frames * hop,
  // mel rows not n_mels wide, label ids below -1, non-finite targets). Reads refuse non-finite values.
  explicit ShardReader(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const ShardAttributes& attributes() const { return attributes_; }
  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t i) const { return names_[i]; }
  int32_t label(std::size_t i) const { return labels_[i]; }
  // The utterance's scalar target; 0 in a shard without targets (attributes().has_targets).
  float target(std::size_t i) const { return attributes_.has_targets ? targets_[i] : 0.0f; }
  int64_t samples(std::size_t i) const { return audio_offsets_[i + 1] - audio_offsets_[i]; }
  int64_t frames(std::size_t i) const { return mel_offsets_[i + 1] - mel_offsets_[i]; }

  // Throws IoError naming the shard and utterance when a label id is not below `known_labels`
  // (the manifest's label count; 0 means the corpus has no labels and every id must be -1).
  void check_label_ids(std::size_t known_labels) const;

  // Ranges relative to the start of utterance i; must lie inside it.
  std::vector<float> read_audio(std::size_t i, int64_t start, int64_t count) const;
  std::vector<float> read_mel(std::size_t i, int64_t start_frame, int64_t frame_count) const;
  ShardUtterance read_utterance(std::size_t i) const;

 private:
  void check_tables() const;

  std::filesystem::path path_;
  uintmax_t file_bytes_ = 0;
  H5Handle file_;
  H5Handle audio_;
  H5Handle mel_;
  ShardAttributes attributes_;
  std::vector<int64_t> audio_offsets_;
  std::vector<int64_t> mel_offsets_;
  std::vector<std::string> names_;
  std::vector<int32_t> labels_;
  std::vector<float> targets_;  // empty without targets
};

}  // namespace wn
