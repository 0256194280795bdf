#pragma once
// Fundamental frequency per frame after the YIN method (de Cheveigné and Kawahara, 2002): the
// cumulative-mean-normalised difference function of each frame; the period is its first dip
// nearly as deep as the deepest, refined to the local minimum and interpolated; a frame whose
// deepest dip is not deep enough, or that is quieter than the floor, is unvoiced. For the F0 and
// voicing metrics of `wavenet eval`.

#include <cstdint>
#include <vector>

namespace wn {

struct PitchSettings {
  double min_hz = 60;        // lowest F0 searched
  double max_hz = 500;       // highest
  // Voiced when the deepest dip of the normalised difference is below `threshold`; the period is
  // then the first dip within `dip_tolerance` of the deepest. YIN's single absolute threshold
  // (0.1-0.15, first dip below it) calls a third of the voiced frames of a gliding pulse train
  // unvoiced, and raised to 0.35 it takes the shallow dips of strong harmonics for the period.
  double threshold = 0.35;
  double dip_tolerance = 0.1;
  double floor_db = -50;     // frames with an RMS below this (dB re full scale) are unvoiced
  int frame_period = 256;    // samples between frame centres (the first at sample 0)
};

// F0 in Hz per frame, 0 where unvoiced. Frames are centred on multiples of the period.
std::vector<double> track_f0(const std::vector<float>& audio, int sample_rate, const PitchSettings& settings);

// The phase, in cycles in [0, 1), of the fundamental at sample `centre`: the audio around it (a
// Hann window two periods long, silence outside the audio) correlated with a complex sinusoid
// at f0_hz, so that x[t] ~ a cos(2 pi (f0_hz (t - centre) / sample_rate + phase)). The window
// puts its zeros on 0 Hz and on the other harmonics, so they do not pull the estimate.
double fundamental_phase(const std::vector<float>& audio, int64_t centre, double f0_hz, int sample_rate);

struct F0Comparison {
  double rmse_cents = 0;       // over frames voiced in both; NaN when there are none
  double gross_error = 0;      // fraction of those off by more than 20% (octave and other jumps); NaN likewise
  double voicing_error = 0;    // fraction of frames whose voiced/unvoiced decisions differ
  int64_t voiced_in_both = 0;
};

// Frame by frame over the shorter of the two tracks.
F0Comparison compare_f0(const std::vector<double>& reference, const std::vector<double>& generated);

}  // namespace wn
