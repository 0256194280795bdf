#include "dataio/shard_reader.h"

#include <cmath>
#include <limits>

#include "core/errors.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

void check(bool ok, const fs::path& path, const std::string& what) {
  if (!ok) throw IoError(path.string() + ": " + what);
}

int read_int_attribute(hid_t file, const char* name, const fs::path& path) {
  check(H5Aexists(file, name) > 0, path, std::string("missing attribute ") + name + " (not a shard?)");
  H5Handle attr(H5Aopen(file, name, H5P_DEFAULT), H5Aclose);
  int value = 0;
  check(attr.valid() && H5Aread(attr.get(), H5T_NATIVE_INT, &value) >= 0, path,
        std::string("cannot read attribute ") + name);
  return value;
}

H5Handle open_dataset(hid_t file, const char* name, const fs::path& path) {
  check(H5Lexists(file, name, H5P_DEFAULT) > 0, path, std::string("missing dataset ") + name);
  H5Handle dataset(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
  check(dataset.valid(), path, std::string("cannot open dataset ") + name);
  return dataset;
}

// A dataset's extents; its rank is checked first, so a damaged file cannot overrun `dims`.
std::vector<hsize_t> extents_of(hid_t dataset, const char* name, int max_rank, const fs::path& path) {
  H5Handle space(H5Dget_space(dataset), H5Sclose);
  const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  check(rank >= 1 && rank <= max_rank, path,
        std::string("dataset ") + name + " has rank " + std::to_string(rank) + ", expected at most " + std::to_string(max_rank));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank), 0);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

hsize_t length_of(hid_t dataset, const char* name, const fs::path& path) { return extents_of(dataset, name, 1, path)[0]; }

// Offsets delimit utterances of a dataset of `rows` rows: from 0, never decreasing, to `rows`.
void check_offsets(const std::vector<int64_t>& offsets, hsize_t rows, const char* name, const fs::path& path) {
  check(!offsets.empty() && offsets.front() == 0, path, std::string(name) + " must start at 0");
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    check(offsets[i] >= offsets[i - 1], path, std::string(name) + " decrease at utterance " + std::to_string(i - 1));
  }
  check(offsets.back() == static_cast<int64_t>(rows), path,
        std::string(name) + " end at " + std::to_string(offsets.back()) + " but the data has " + std::to_string(rows) + " rows");
}

// Every value of a range read from utterance `name` must be a number.
void check_finite(const std::vector<float>& values, const fs::path& path, const std::string& what) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    check(std::isfinite(values[i]), path, what + " holds a non-finite value");
  }
}

// A damaged header can claim any extent; nothing is allocated for more values than the file
// could hold. 64 values per byte is beyond any compression of real shards.
constexpr hsize_t kMostValuesPerFileByte = 64;

void check_claim(hsize_t values, const char* name, uintmax_t file_bytes, const fs::path& path) {
  check(values / kMostValuesPerFileByte <= file_bytes, path,
        std::string("dataset ") + name + " claims " + std::to_string(values) + " values, more than the file's " +
            std::to_string(file_bytes) + " bytes can hold");
}

template <class T>
std::vector<T> read_whole(hid_t file, const char* name, hid_t type, uintmax_t file_bytes, const fs::path& path) {
  H5Handle dataset = open_dataset(file, name, path);
  const hsize_t length = length_of(dataset.get(), name, path);
  check_claim(length, name, file_bytes, path);
  std::vector<T> values(length);
  if (!values.empty()) {
    check(H5Dread(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0, path,
          std::string("cannot read dataset ") + name);
  }
  return values;
}

// Reads rows [start, start + count) of a rank-1 or rank-2 float dataset.
std::vector<float> read_rows(hid_t dataset, hsize_t start, hsize_t count, hsize_t row_width,
                                    int rank, const fs::path& path) {
  std::vector<float> values(static_cast<std::size_t>(count * row_width));
  if (count == 0) return values;
  H5Handle file_space(H5Dget_space(dataset), H5Sclose);
  const hsize_t offset[2] = {start, 0};
  const hsize_t extent[2] = {count, row_width};
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, offset, nullptr, extent, nullptr) >= 0,
        path, "range outside the dataset");
  H5Handle memory_space(H5Screate_simple(rank, extent, nullptr), H5Sclose);
  check(H5Dread(dataset, H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT,
                values.data()) >= 0,
        path, "read failed");
  return values;
}

}  // namespace

ShardReader::ShardReader(const fs::path& path) : path_(path) {
  silence_hdf5_errors();
  check(fs::exists(path), path, "shard not found");
  file_ = H5Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  check(file_.valid(), path, "not an HDF5 file");
  const int version = read_int_attribute(file_.get(), shard::kVersion, path);
  check(version == shard::kFormatVersionWithoutTargets || version == shard::kFormatVersionWithTargets, path,
        "shard format version " + std::to_string(version) + ", this program reads " +
            std::to_string(shard::kFormatVersionWithoutTargets) + " and " + std::to_string(shard::kFormatVersionWithTargets));
  attributes_.has_targets = version == shard::kFormatVersionWithTargets;
  attributes_.sample_rate = read_int_attribute(file_.get(), shard::kSampleRate, path);
  attributes_.hop_length = read_int_attribute(file_.get(), shard::kHopLength, path);
  attributes_.n_mels = read_int_attribute(file_.get(), shard::kNMels, path);

  std::error_code size_error;
  file_bytes_ = fs::file_size(path, size_error);
  check(!size_error, path, "cannot read the file's size");
  audio_offsets_ = read_whole<int64_t>(file_.get(), shard::kAudioOffsets, H5T_NATIVE_INT64, file_bytes_, path);
  mel_offsets_ = read_whole<int64_t>(file_.get(), shard::kMelOffsets, H5T_NATIVE_INT64, file_bytes_, path);
  labels_ = read_whole<int32_t>(file_.get(), shard::kLabels, H5T_NATIVE_INT32, file_bytes_, path);
  if (attributes_.has_targets) {
    targets_ = read_whole<float>(file_.get(), shard::kTargets, H5T_NATIVE_FLOAT, file_bytes_, path);
  }

  H5Handle names = open_dataset(file_.get(), shard::kNames, path);
  const hsize_t count = length_of(names.get(), shard::kNames, path);
  check_claim(count, shard::kNames, file_bytes_, path);
  std::vector<char*> raw(count, nullptr);
  H5Handle string_type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(string_type.get(), H5T_VARIABLE);
  H5Tset_cset(string_type.get(), H5T_CSET_UTF8);
  if (count > 0) {
    check(H5Dread(names.get(), string_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) >= 0,
          path, "cannot read names");
    for (char* s : raw) names_.emplace_back(s ? s : "");
    H5Handle space(H5Dget_space(names.get()), H5Sclose);
    H5Dvlen_reclaim(string_type.get(), space.get(), H5P_DEFAULT, raw.data());
  }
  check(audio_offsets_.size() == count + 1 && mel_offsets_.size() == count + 1 &&
            labels_.size() == count && (!attributes_.has_targets || targets_.size() == count),
        path, "utterance tables disagree in length");

  audio_ = open_dataset(file_.get(), shard::kAudio, path);
  mel_ = open_dataset(file_.get(), shard::kMel, path);
  check_tables();
}

void ShardReader::check_tables() const {
  const ShardAttributes& a = attributes_;
  check(a.sample_rate > 0 && a.hop_length > 0 && a.n_mels > 0, path_,
        "sample_rate, hop_length and n_mels must be positive, got " + std::to_string(a.sample_rate) + ", " +
            std::to_string(a.hop_length) + ", " + std::to_string(a.n_mels));
  const std::vector<hsize_t> audio = extents_of(audio_.get(), shard::kAudio, 1, path_);
  const std::vector<hsize_t> mel = extents_of(mel_.get(), shard::kMel, 2, path_);
  check(mel.size() == 2 && mel[1] == static_cast<hsize_t>(a.n_mels), path_,
        "dataset mel must be frames x n_mels=" + std::to_string(a.n_mels));
  check_claim(audio[0], shard::kAudio, file_bytes_, path_);
  check_claim(mel[0] > 0 && mel[1] > std::numeric_limits<hsize_t>::max() / mel[0] ? std::numeric_limits<hsize_t>::max()
                                                                                    : mel[0] * mel[1],
              shard::kMel, file_bytes_, path_);
  check_offsets(audio_offsets_, audio[0], shard::kAudioOffsets, path_);
  check_offsets(mel_offsets_, mel[0], shard::kMelOffsets, path_);
  for (std::size_t i = 0; i < size(); ++i) {
    check(samples(i) % a.hop_length == 0 && samples(i) / a.hop_length == frames(i), path_,
          "utterance " + names_[i] + " has " + std::to_string(samples(i)) + " samples for " + std::to_string(frames(i)) +
              " mel frames of hop " + std::to_string(a.hop_length));
    check(labels_[i] >= -1, path_, "utterance " + names_[i] + " has label id " + std::to_string(labels_[i]));
    check(!a.has_targets || std::isfinite(targets_[i]), path_, "utterance " + names_[i] + " has a non-finite target");
  }
}

void ShardReader::check_label_ids(std::size_t known_labels) const {
  for (std::size_t i = 0; i < size(); ++i) {
    check(labels_[i] < static_cast<int64_t>(known_labels), path_,
          "utterance " + names_[i] + " has label id " + std::to_string(labels_[i]) + " but the manifest names " +
              std::to_string(known_labels) + " labels");
  }
}

std::vector<float> ShardReader::read_audio(std::size_t i, int64_t start, int64_t count) const {
  check(start >= 0 && count >= 0 && start + count <= samples(i), path_,
        "audio range outside utterance " + names_[i]);
  std::vector<float> audio = read_rows(audio_.get(), static_cast<hsize_t>(audio_offsets_[i] + start),
                                       static_cast<hsize_t>(count), 1, 1, path_);
  check_finite(audio, path_, "audio of utterance " + names_[i]);
  return audio;
}

std::vector<float> ShardReader::read_mel(std::size_t i, int64_t start_frame, int64_t frame_count) const {
  check(start_frame >= 0 && frame_count >= 0 && start_frame + frame_count <= frames(i), path_,
        "mel range outside utterance " + names_[i]);
  std::vector<float> mel = read_rows(mel_.get(), static_cast<hsize_t>(mel_offsets_[i] + start_frame),
                                     static_cast<hsize_t>(frame_count), static_cast<hsize_t>(attributes_.n_mels), 2, path_);
  check_finite(mel, path_, "mel of utterance " + names_[i]);
  return mel;
}

ShardUtterance ShardReader::read_utterance(std::size_t i) const {
  ShardUtterance u;
  u.name = names_[i];
  u.label = labels_[i];
  u.target = target(i);
  u.audio = read_audio(i, 0, samples(i));
  u.mel = read_mel(i, 0, frames(i));
  return u;
}

}  // namespace wn
