// HDF5 shards as `train`, `eval` and `synth` read them, built from fuzzed recipes: every dataset
// and attribute may be missing, of another type or rank, claim a huge extent it does not store,
// or hold offsets that are not monotonic, point past the end, negative label ids, NaN values.
// (Raw HDF5 bytes would fuzz libhdf5's own parser, which is not ours to fix.)

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dataio/hdf5_handle.h"
#include "dataio/shard_format.h"
#include "dataio/shard_reader.h"
#include "tests/fuzz/fuzz_bytes.h"
#include "tests/fuzz/fuzz_rule.h"

namespace {

using wn::H5Handle;

// How a dataset or attribute is written: as the format says, or damaged one way.
enum class Form { absent, wrong_type, wrong_rank, huge_unstored, as_given, kCount };

Form pick_form(wn::fuzz::FuzzBytes& p) {
  // Mostly as given, so that the reads behind the table checks are reached too.
  const int roll = p.int_in(0, 15);
  return roll < 11 ? Form::as_given : static_cast<Form>(roll - 11);
}

void write_attribute(hid_t file, const char* name, int value, Form form) {
  if (form == Form::absent) return;
  H5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  if (form == Form::wrong_type) {
    H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), 3);
    H5Handle attr(H5Acreate2(file, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    H5Awrite(attr.get(), type.get(), "abc");
    return;
  }
  const hid_t type = form == Form::wrong_rank ? H5T_IEEE_F64LE : H5T_STD_I32LE;
  H5Handle attr(H5Acreate2(file, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const double as_double = value + 0.5;
  H5Awrite(attr.get(), form == Form::wrong_rank ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT,
           form == Form::wrong_rank ? static_cast<const void*>(&as_double) : static_cast<const void*>(&value));
}

// A chunked dataset of `dims`; data is written only when given (a huge extent stores nothing).
void write_dataset(hid_t file, const char* name, hid_t file_type, hid_t memory_type, std::vector<hsize_t> dims,
                   const void* data) {
  const std::vector<hsize_t> unlimited(dims.size(), H5S_UNLIMITED);  // lets chunks exceed an empty extent
  H5Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), unlimited.data()), H5Sclose);
  H5Handle props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  std::vector<hsize_t> chunk(dims.size());
  for (std::size_t d = 0; d < dims.size(); ++d) chunk[d] = std::max<hsize_t>(1, std::min<hsize_t>(dims[d], 64));
  H5Pset_chunk(props.get(), static_cast<int>(chunk.size()), chunk.data());
  H5Handle dataset(H5Dcreate2(file, name, file_type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT), H5Dclose);
  if (data && dataset.valid()) H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
}

template <class T>
void write_numbers(hid_t file, const char* name, hid_t file_type, hid_t memory_type, const std::vector<T>& values,
                   std::vector<hsize_t> dims, Form form) {
  switch (form) {
    case Form::absent:
    case Form::kCount:
      return;
    case Form::wrong_type: {
      std::vector<char> text(values.size() * 2 + 1, 'x');
      write_dataset(file, name, H5T_STD_U8LE, H5T_NATIVE_UCHAR, {text.size()}, text.data());
      return;
    }
    case Form::wrong_rank:
      dims.push_back(1);
      dims.push_back(1);
      break;
    case Form::huge_unstored:
      dims[0] = hsize_t{1} << 40;
      write_dataset(file, name, file_type, memory_type, dims, nullptr);
      return;
    case Form::as_given:
      break;
  }
  write_dataset(file, name, file_type, memory_type, dims, values.empty() ? nullptr : values.data());
}

void write_names(hid_t file, const std::vector<std::string>& names, Form form) {
  if (form != Form::as_given) {
    std::vector<int32_t> numbers(names.size(), 7);
    write_numbers(file, wn::shard::kNames, H5T_STD_I32LE, H5T_NATIVE_INT32, numbers, {names.size()}, form);
    return;
  }
  std::vector<const char*> pointers;
  for (const auto& n : names) pointers.push_back(n.c_str());
  H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  write_dataset(file, wn::shard::kNames, type.get(), type.get(), {names.size()},
                pointers.empty() ? nullptr : pointers.data());
}

// Offsets from a list of lengths, then maybe one entry replaced by anything.
std::vector<int64_t> offsets_of(const std::vector<int64_t>& lengths, wn::fuzz::FuzzBytes& p) {
  std::vector<int64_t> offsets{0};
  for (const int64_t n : lengths) offsets.push_back(offsets.back() + n);
  if (p.flag()) {
    offsets[p.int_in<std::size_t>(0, offsets.size() - 1)] = p.any<int64_t>();
  }
  return offsets;
}

float sample_value(wn::fuzz::FuzzBytes& p) {
  switch (p.int_in(0, 9)) {
    case 0: return std::numeric_limits<float>::quiet_NaN();
    case 1: return std::numeric_limits<float>::infinity();
    default: return p.real_in(-1.0f, 1.0f);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  wn::silence_hdf5_errors();
  wn::fuzz::FuzzBytes p(data, size);
  const std::filesystem::path path = wn::fuzz::scratch_dir() / "shard.h5";
  const auto known_labels = p.int_in<std::size_t>(0, 3);
  const int hop = p.flag() ? p.int_in(1, 4) : p.any<int>();
  const int n_mels = p.flag() ? p.int_in(1, 3) : p.any<int>();
  const int safe_hop = std::clamp(hop, 1, 4), safe_mels = std::clamp(n_mels, 1, 3);
  const auto utterances = p.int_in<std::size_t>(0, 4);

  std::vector<int64_t> frames, samples;
  std::vector<std::string> names;
  std::vector<int32_t> labels;
  for (std::size_t u = 0; u < utterances; ++u) {
    frames.push_back(p.int_in<int64_t>(0, 3));
    samples.push_back(frames.back() * safe_hop + (p.int_in(0, 7) == 0 ? 1 : 0));
    names.push_back(p.text(12));
    labels.push_back(p.int_in<int32_t>(-3, 4));
  }
  std::vector<float> audio, mel;
  for (const int64_t n : samples) for (int64_t i = 0; i < n; ++i) audio.push_back(sample_value(p));
  for (const int64_t n : frames) for (int64_t i = 0; i < n * safe_mels; ++i) mel.push_back(sample_value(p) * 4.0f);
  const std::vector<int64_t> audio_offsets = offsets_of(samples, p);
  const std::vector<int64_t> mel_offsets = offsets_of(frames, p);

  {
    H5Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) std::abort();
    const hid_t f = file.get();
    write_attribute(f, wn::shard::kVersion, p.flag() ? (p.flag() ? wn::shard::kFormatVersionWithTargets : wn::shard::kFormatVersionWithoutTargets) : p.any<int>(), pick_form(p));
    write_attribute(f, wn::shard::kSampleRate, p.flag() ? 16000 : p.any<int>(), pick_form(p));
    write_attribute(f, wn::shard::kHopLength, hop, pick_form(p));
    write_attribute(f, wn::shard::kNMels, n_mels, pick_form(p));
    write_numbers(f, wn::shard::kAudio, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, audio, {audio.size()}, pick_form(p));
    write_numbers(f, wn::shard::kMel, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, mel,
                  {mel.size() / static_cast<std::size_t>(safe_mels), static_cast<hsize_t>(safe_mels)}, pick_form(p));
    write_numbers(f, wn::shard::kAudioOffsets, H5T_STD_I64LE, H5T_NATIVE_INT64, audio_offsets, {audio_offsets.size()},
                  pick_form(p));
    write_numbers(f, wn::shard::kMelOffsets, H5T_STD_I64LE, H5T_NATIVE_INT64, mel_offsets, {mel_offsets.size()},
                  pick_form(p));
    write_numbers(f, wn::shard::kLabels, H5T_STD_I32LE, H5T_NATIVE_INT32, labels, {labels.size()}, pick_form(p));
    write_names(f, names, pick_form(p));
  }

  wn::fuzz::expect_clean_outcome([&] {
    const wn::ShardReader reader(path);
    reader.check_label_ids(known_labels);
    for (std::size_t i = 0; i < reader.size(); ++i) reader.read_utterance(i);
  });
  return 0;
}
