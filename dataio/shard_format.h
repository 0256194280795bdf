#pragma once
// The HDF5 shard layout (docs/data.md is the user-facing description). One shard holds many
// utterances concatenated; offsets (utterances + 1 entries) delimit each one.

#include <cstdint>
#include <string>
#include <vector>

namespace wn::shard {

// Version 1: no targets. Version 2: the same plus `targets`, one scalar per utterance (the
// corpus was preprocessed with data.target). A reader takes both.
constexpr int kFormatVersionWithoutTargets = 1;
constexpr int kFormatVersionWithTargets = 2;

// Datasets.
constexpr const char* kAudio = "audio";                 // float32 [total_samples]
constexpr const char* kMel = "mel";                     // float32 [total_frames, n_mels]
constexpr const char* kAudioOffsets = "audio_offsets";  // int64 [utterances + 1]
constexpr const char* kMelOffsets = "mel_offsets";      // int64 [utterances + 1]
constexpr const char* kNames = "names";                 // variable-length UTF-8 strings
constexpr const char* kLabels = "labels";               // int32 [utterances], -1 = no label
constexpr const char* kTargets = "targets";             // float32 [utterances] (version 2 only)

// Root attributes.
constexpr const char* kSampleRate = "sample_rate";
constexpr const char* kHopLength = "hop_length";
constexpr const char* kNMels = "n_mels";
constexpr const char* kVersion = "format_version";

}  // namespace wn::shard

namespace wn {

struct ShardAttributes {
  int sample_rate = 0;
  int hop_length = 0;
  int n_mels = 0;
  bool has_targets = false;  // format version 2: a `targets` dataset
};

// One utterance as stored: audio is exactly mel_frames * hop_length samples.
struct ShardUtterance {
  std::string name;
  int32_t label = -1;
  float target = 0.0f;  // the utterance's scalar target (shards with targets only)
  std::vector<float> audio;
  std::vector<float> mel;  // frames x n_mels, row-major
};

}  // namespace wn
