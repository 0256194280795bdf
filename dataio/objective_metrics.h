#pragma once
// Objective comparison of generated audio with its reference, the numbers vocoder papers report:
// log-mel spectral distance (mean |log mel difference|, in the recipe's log units), mel-cepstral
// distortion (dB, over cepstral coefficients 1..min(24, n_mels-1) of the natural-log mel amplitude),
// and signal-to-noise ratio after the best integer alignment within +-max_lag samples.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct AudioComparison {
  std::string name;
  double log_mel_distance = 0;
  double mel_cepstral_distortion_db = 0;
  double snr_db = 0;  // +inf for identical signals
  int64_t lag = 0;    // generated is delayed by this many samples relative to the reference
};

AudioComparison compare_audio(const std::vector<float>& reference, const std::vector<float>& generated,
                              const AudioConfig& audio, int64_t max_lag);

struct DirectoryComparison {
  std::vector<AudioComparison> pairs;  // matched by file name without extension, sorted
  std::vector<std::string> unmatched;  // in one directory only
  AudioComparison mean;                // averages over pairs (finite SNRs only)
};

// Reads every audio file of both directories (resampled to audio.sample_rate). Throws UserError
// when a directory is missing or no pair matches.
DirectoryComparison compare_directories(const std::filesystem::path& reference_dir,
                                        const std::filesystem::path& generated_dir, const AudioConfig& audio,
                                        int64_t max_lag);

}  // namespace wn
