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

// The audio of `path` through the recipe (trimming should be off: it would misalign the mel)
// with a mel made elsewhere, e.g. a TTS front end's teacher-forced output: `mel_path` holds a
// float32 .npy of (frames, n_mels), or (n_mels, frames) with `bins_first`. Its frames must fit
// the audio as a mel of the recipe would (1 + samples / hop, give or take one frame's samples);
// the audio is then cut or padded to frames * hop_length. Throws IoError naming the file.
UtteranceFeatures features_with_mel(const std::filesystem::path& path, const std::filesystem::path& mel_path,
                                    bool bins_first, const AudioConfig& config);

}  // namespace wn
