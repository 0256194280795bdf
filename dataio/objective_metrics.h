#pragma once
// Objective comparison of generated audio with its reference, the numbers vocoder papers report:
// - log-mel spectral distance (mean |log mel difference|, in the recipe's log units);
// - MCD (dB): mel-cepstral distortion of SPTK mel-cepstra, order 24, alpha for the sample rate,
//   c0 excluded (dataio/mel_cepstrum.h), averaged over all frames;
// - log-mel cepstral distance (dB): the same formula on the DCT of the natural-log mel amplitude
//   (coefficients 1..min(24, n_mels-1)), an older and different figure, kept under its own name;
// - log-spectral distance (dB): RMS over frequency of the power spectra's dB difference, mean
//   over frames;
// - F0 RMSE (cents) over frames voiced in both, the gross pitch error (fraction of those off by
//   more than 20%: RMSE alone is ruled by a few octave jumps), and the voiced/unvoiced error rate
//   (YIN, dataio/pitch.h);
// - silence floor (dB re full scale): the RMS level of the generated audio where the reference
//   is silent (blocks 40 dB or more below its loudest block): the hiss of a vocoder;
// - signal-to-noise ratio after the best integer alignment within +-max_lag samples.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct AudioComparison {
  std::string name;
  double log_mel_distance = 0;
  double mcd_db = 0;
  double log_mel_cepstral_distance_db = 0;
  double log_spectral_distance_db = 0;
  double f0_rmse_cents = 0;     // NaN: no frame voiced in both
  double f0_gross_error = 0;    // fraction of frames voiced in both off by over 20%; NaN likewise
  double voicing_error = 0;     // fraction of frames
  double silence_floor_db = 0;  // NaN: the reference has no silent stretch
  double snr_db = 0;            // +inf for identical signals
  int64_t lag = 0;    // generated is delayed by this many samples relative to the reference
};

AudioComparison compare_audio(const std::vector<float>& reference, const std::vector<float>& generated,
                              const AudioConfig& audio, int64_t max_lag);

// Per figure, the mean over the pairs where it is finite (SNR: +inf when none is; F0 RMSE and
// silence floor: NaN when none is).
AudioComparison mean_of(const std::vector<AudioComparison>& pairs);

struct DirectoryComparison {
  std::vector<AudioComparison> pairs;  // matched by file name without extension, sorted
  std::vector<std::string> unmatched;  // in one directory only
  AudioComparison mean;                // averages over pairs (of the finite values, for SNR, F0 and floor)
};

// Reads every audio file of both directories (resampled to audio.sample_rate). Throws UserError
// when a directory is missing or no pair matches.
DirectoryComparison compare_directories(const std::filesystem::path& reference_dir,
                                        const std::filesystem::path& generated_dir, const AudioConfig& audio,
                                        int64_t max_lag);

}  // namespace wn
