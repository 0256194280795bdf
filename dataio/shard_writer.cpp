#include "dataio/shard_writer.h"

#include <algorithm>
#include <cmath>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "dataio/hdf5_handle.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

// Builds the shard in memory (HDF5's core driver) and hands back its bytes: the disk is then
// written by write_file_atomically, so a full disk is an IoError with the system's reason and
// never a half-closed HDF5 file (which libhdf5 would crash on at exit).
class ShardFileWriter {
 public:
  explicit ShardFileWriter(const fs::path& reported) : reported_(reported) {
    silence_hdf5_errors();
    H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    constexpr std::size_t kGrowth = 16 << 20;
    check(access.valid() && H5Pset_fapl_core(access.get(), kGrowth, false) >= 0, "cannot set up an in-memory file");
    file_ = H5Handle(H5Fcreate(reported.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose);
    check(file_.valid(), "cannot create HDF5 file");
  }

  // A chunked dataset of `dims` (rank 1 or 2) written from `data` in one call.
  template <class T>
  void write_dataset(const char* name, hid_t type, const std::vector<hsize_t>& dims,
                     const std::vector<hsize_t>& chunk, const T* data) {
    const int rank = static_cast<int>(dims.size());
    std::vector<hsize_t> max_dims(dims.size(), H5S_UNLIMITED);
    H5Handle space(H5Screate_simple(rank, dims.data(), max_dims.data()), H5Sclose);
    H5Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    check(space.valid() && props.valid(), "cannot describe dataset");
    check(H5Pset_chunk(props.get(), rank, chunk.data()) >= 0, "cannot set chunking");
    H5Handle dataset(H5Dcreate2(file_.get(), name, type, space.get(), H5P_DEFAULT, props.get(),
                                H5P_DEFAULT),
                     H5Dclose);
    check(dataset.valid(), std::string("cannot create dataset ") + name);
    bool empty = false;
    for (hsize_t d : dims) empty = empty || d == 0;
    if (!empty) {
      check(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0,
            std::string("cannot write dataset ") + name);
    }
  }

  void write_int_attribute(const char* name, int value) {
    H5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    H5Handle attr(H5Acreate2(file_.get(), name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                  H5Aclose);
    check(attr.valid() && H5Awrite(attr.get(), H5T_NATIVE_INT, &value) >= 0,
          std::string("cannot write attribute ") + name);
  }

  void write_strings(const char* name, const std::vector<std::string>& strings) {
    H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    std::vector<const char*> pointers;
    for (const auto& s : strings) pointers.push_back(s.c_str());
    const hsize_t n = strings.size();
    write_dataset(name, type.get(), {n}, {std::max<hsize_t>(1, std::min<hsize_t>(n, 4096))},
                  pointers.data());
  }

  // The finished file's bytes.
  std::string image() {
    check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) >= 0, "flush failed");
    const ssize_t size = H5Fget_file_image(file_.get(), nullptr, 0);
    check(size > 0, "cannot size the file image");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    check(H5Fget_file_image(file_.get(), bytes.data(), bytes.size()) == size, "cannot copy the file image");
    file_.reset();
    return bytes;
  }

 private:
  void check(bool ok, const std::string& what) const {
    if (!ok) throw IoError(reported_.string() + ": " + what);
  }
  fs::path reported_;
  H5Handle file_;
};

}  // namespace

ShardChunking chunking_for_crops(int64_t crop_samples) {
  int64_t chunk = 65536;
  while (chunk < crop_samples) chunk *= 2;
  return ShardChunking{chunk};
}

void write_shard(const fs::path& path, const ShardAttributes& attributes,
                 const std::vector<ShardUtterance>& utterances, const ShardChunking& chunking) {
  const int n_mels = attributes.n_mels;
  std::vector<int64_t> audio_offsets{0}, mel_offsets{0};
  std::vector<std::string> names;
  std::vector<int32_t> labels;
  std::vector<float> targets;
  for (const auto& u : utterances) {
    const int64_t frames = static_cast<int64_t>(u.mel.size()) / n_mels;
    if (static_cast<int64_t>(u.mel.size()) != frames * n_mels ||
        static_cast<int64_t>(u.audio.size()) != frames * attributes.hop_length) {
      throw std::invalid_argument("write_shard: utterance " + u.name +
                                  " has audio that is not mel frames * hop_length samples");
    }
    audio_offsets.push_back(audio_offsets.back() + static_cast<int64_t>(u.audio.size()));
    mel_offsets.push_back(mel_offsets.back() + frames);
    names.push_back(u.name);
    labels.push_back(u.label);
    if (attributes.has_targets && !std::isfinite(u.target)) {
      throw std::invalid_argument("write_shard: utterance " + u.name + " has a non-finite target");
    }
    targets.push_back(u.target);
  }
  std::vector<float> audio, mel;
  audio.reserve(static_cast<std::size_t>(audio_offsets.back()));
  mel.reserve(static_cast<std::size_t>(mel_offsets.back() * n_mels));
  for (const auto& u : utterances) {
    audio.insert(audio.end(), u.audio.begin(), u.audio.end());
    mel.insert(mel.end(), u.mel.begin(), u.mel.end());
  }

  std::string bytes;
  {
    ShardFileWriter writer(path);
    const auto audio_chunk = static_cast<hsize_t>(chunking.audio_chunk);
    const hsize_t mel_chunk = std::max<hsize_t>(1, audio_chunk / attributes.hop_length);
    const hsize_t n = utterances.size();
    const hsize_t index_chunk = std::max<hsize_t>(1, std::min<hsize_t>(n + 1, 4096));
    writer.write_dataset(shard::kAudio, H5T_NATIVE_FLOAT, {audio.size()}, {audio_chunk}, audio.data());
    writer.write_dataset(shard::kMel, H5T_NATIVE_FLOAT,
                         {static_cast<hsize_t>(mel_offsets.back()), static_cast<hsize_t>(n_mels)},
                         {mel_chunk, static_cast<hsize_t>(n_mels)}, mel.data());
    writer.write_dataset(shard::kAudioOffsets, H5T_NATIVE_INT64, {n + 1}, {index_chunk},
                         audio_offsets.data());
    writer.write_dataset(shard::kMelOffsets, H5T_NATIVE_INT64, {n + 1}, {index_chunk},
                         mel_offsets.data());
    writer.write_dataset(shard::kLabels, H5T_NATIVE_INT32, {n},
                         {std::max<hsize_t>(1, std::min<hsize_t>(n, 4096))}, labels.data());
    if (attributes.has_targets) {
      writer.write_dataset(shard::kTargets, H5T_NATIVE_FLOAT, {n},
                           {std::max<hsize_t>(1, std::min<hsize_t>(n, 4096))}, targets.data());
    }
    writer.write_strings(shard::kNames, names);
    writer.write_int_attribute(shard::kSampleRate, attributes.sample_rate);
    writer.write_int_attribute(shard::kHopLength, attributes.hop_length);
    writer.write_int_attribute(shard::kNMels, attributes.n_mels);
    writer.write_int_attribute(shard::kVersion, attributes.has_targets ? shard::kFormatVersionWithTargets
                                                                       : shard::kFormatVersionWithoutTargets);
    // The concatenated copies are in the file image now; free them before it is copied out.
    audio = {};
    mel = {};
    bytes = writer.image();
  }
  write_file_atomically(path, bytes);
}

}  // namespace wn
