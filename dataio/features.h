#pragma once
// One utterance from file to training features: read, mix to mono, resample, clean, log-mel,
// and align the audio to exactly frames * hop_length samples.

#include <filesystem>
#include <vector>

#include "core/config/config.h"
#include "dataio/mel.h"

namespace wn {

struct UtteranceFeatures {
  std::vector<float> audio;  // frames * hop_length samples at config.sample_rate
  std::vector<float> mel;    // frames x n_mels, compressed
  int64_t frames = 0;
};

// The same recipe for audio already in memory (copy-synthesis uses it too).
UtteranceFeatures features_from_audio(std::vector<float> samples, int sample_rate,
                                      const AudioConfig& config, const MelSpectrogram& mel);

// Throws IoError whose message names the file and says why it cannot be used.
UtteranceFeatures extract_features(const std::filesystem::path& path, const AudioConfig& config,
                                   const MelSpectrogram& mel);

}  // namespace wn
