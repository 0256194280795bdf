#include "dataio/features.h"

#include "core/errors.h"
#include "dataio/audio_cleaning.h"
#include "dataio/audio_io.h"
#include "dataio/resample.h"

namespace wn {

UtteranceFeatures features_from_audio(std::vector<float> samples, int sample_rate,
                                      const AudioConfig& config, const MelSpectrogram& mel) {
  samples = clean_audio(resample(samples, sample_rate, config.sample_rate), config);
  if (static_cast<int64_t>(samples.size()) < config.n_fft) {
    throw std::invalid_argument("shorter than one frame: " + std::to_string(samples.size()) +
                                " samples after resampling and trimming, need " +
                                std::to_string(config.n_fft));
  }
  UtteranceFeatures features;
  features.mel = mel.compressed(samples);
  features.frames = static_cast<int64_t>(features.mel.size()) / mel.n_mels();
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

}  // namespace wn
