#pragma once
// Mel-cepstral distortion as vocoder papers report it: mel-cepstra of each frame's spectral
// envelope with an all-pass frequency warping (SPTK's mcep, linked from Debian's libsptk-dev),
// then (10 / ln 10) * sqrt(2 * sum over d = 1..order of (c_d - c'_d)^2) per frame, c0 (energy)
// excluded, averaged over frames. Framing follows SPTK's command-line pipeline
// (`frame -l L -p P | window -l L -w 0 -n 1 | mcep -l L -m M -a ALPHA -e 1e-8`): frames centred
// on multiples of P starting at sample 0, a power-normalised Blackman window.

#include <cstdint>
#include <vector>

namespace wn {

struct MelCepstrumSettings {
  int order = 24;        // coefficients c0..c_order
  double alpha = 0.455;  // all-pass constant: all_pass_alpha(sample_rate)
  int frame_length = 1024;
  int frame_period = 256;
};

// The all-pass constant whose frequency warping best approximates the mel scale at this sample
// rate (searched in steps of 0.001, as SPTK's users compute it: 0.455 at 22.05 kHz).
double all_pass_alpha(int sample_rate);

// Settings for audio at this sample rate: frames of about 46 ms, a period of a quarter of that.
MelCepstrumSettings mel_cepstrum_settings(int sample_rate);

// (frames x (order + 1)) mel-cepstra, row-major.
std::vector<double> mel_cepstra(const std::vector<float>& audio, const MelCepstrumSettings& settings);

// Frames used: those of `mask` that are true (all when it is empty); frames beyond the shorter of
// the two are ignored. Returns 0 for no frames.
double mel_cepstral_distortion_db(const std::vector<double>& reference, const std::vector<double>& generated, int order,
                                  const std::vector<bool>& mask = {});

}  // namespace wn
