#include "dataio/features.h"

#include <cstdlib>

#include "core/errors.h"
#include "dataio/audio_cleaning.h"
#include "dataio/audio_io.h"
#include "dataio/npy.h"
#include "dataio/resample.h"

namespace wn {

UtteranceFeatures features_from_audio(std::vector<float> samples, int sample_rate,
                                      const AudioConfig& config, const MelSpectrogram& mel) {
  samples = clean_audio_before_emphasis(resample(samples, sample_rate, config.sample_rate), config);
  if (!config.mel_before_emphasis) apply_emphasis(samples, config);
  if (static_cast<int64_t>(samples.size()) < config.n_fft) {
    throw std::invalid_argument("shorter than one frame: " + std::to_string(samples.size()) +
                                " samples after resampling and trimming, need " +
                                std::to_string(config.n_fft));
  }
  UtteranceFeatures features;
  features.mel = mel.compressed(samples);
  features.frames = static_cast<int64_t>(features.mel.size()) / mel.n_mels();
  if (config.mel_before_emphasis) apply_emphasis(samples, config);
  // Frame f covers samples [f*hop, (f+1)*hop): pad the tail with silence to match.
  samples.resize(static_cast<std::size_t>(features.frames * config.hop_length), 0.0f);
  features.audio = std::move(samples);
  return features;
}

UtteranceFeatures extract_features(const std::filesystem::path& path, const AudioConfig& config,
                                   const MelSpectrogram& mel) {
  MonoAudio audio = read_audio_mono(path);  // throws IoError with the path
  try {
    return features_from_audio(std::move(audio.samples), audio.sample_rate, config, mel);
  } catch (const std::invalid_argument& e) {
    throw IoError(path.string() + ": " + e.what());
  }
}

UtteranceFeatures features_with_mel(const std::filesystem::path& path, const std::filesystem::path& mel_path,
                                    bool bins_first, const AudioConfig& config) {
  if (!std::filesystem::exists(mel_path)) throw IoError(path.string() + ": no mel " + mel_path.string());
  const NpyArray given = read_npy(mel_path);  // throws IoError naming it, also for non-finite values
  const int64_t n_mels = config.n_mels;
  if (given.shape.size() != 2 || given.shape[bins_first ? 0 : 1] != n_mels) {
    throw IoError(mel_path.string() + ": a mel must be (frames, " + std::to_string(n_mels) + ")" +
                  (bins_first ? " stored bins first" : "") + "; this one is not");
  }
  MonoAudio audio = read_audio_mono(path);
  std::vector<float> samples = clean_audio(resample(audio.samples, audio.sample_rate, config.sample_rate), config);
  UtteranceFeatures features;
  features.frames = given.shape[bins_first ? 1 : 0];
  const int64_t hop = config.hop_length, n = static_cast<int64_t>(samples.size());
  if (features.frames < 1 || std::abs(features.frames * hop - n) > hop) {
    throw IoError(mel_path.string() + ": " + std::to_string(features.frames) + " frames, but the audio's " + std::to_string(n) +
                  " samples make " + std::to_string(1 + n / hop) + " (hop " + std::to_string(hop) + ")");
  }
  features.mel.resize(static_cast<std::size_t>(features.frames * n_mels));
  for (int64_t f = 0; f < features.frames; ++f) {
    for (int64_t b = 0; b < n_mels; ++b) {
      features.mel[static_cast<std::size_t>(f * n_mels + b)] =
          given.data[static_cast<std::size_t>(bins_first ? b * features.frames + f : f * n_mels + b)];
    }
  }
  samples.resize(static_cast<std::size_t>(features.frames * hop), 0.0f);
  features.audio = std::move(samples);
  return features;
}

}  // namespace wn
