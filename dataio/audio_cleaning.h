#pragma once
// Per-utterance clean-up before features, each step switched by the `audio` config:
// high-pass, silence trimming, peak normalisation, gain, pre-emphasis (in that order). Gain and
// pre-emphasis are the model's time domain: with audio.mel_before_emphasis the mel is made before
// them (r9y9's order), and synth undoes them on what a model generates.

#include <vector>

#include "core/config/config.h"

namespace wn {

// Keeps the span from the first to the last frame whose RMS is within top_db of the loudest
// frame (librosa.effects.trim's rule). All-silent input is returned unchanged.
std::vector<float> trim_silence(const std::vector<float>& audio, double top_db, int frame_length,
                                int hop_length);

// Second-order Butterworth high-pass run forward then backward (zero phase, no delay).
void highpass_zero_phase(std::vector<float>& audio, double cutoff_hz, int sample_rate);

// Scales so the largest |sample| equals `peak` (silent input is left alone).
void normalize_peak(std::vector<float>& audio, double peak);
void apply_gain_db(std::vector<float>& audio, double gain_db);
// y[n] = x[n] - coefficient * x[n-1]
void apply_preemphasis(std::vector<float>& audio, double coefficient);

// All enabled steps of `config`, at config.sample_rate.
std::vector<float> clean_audio(std::vector<float> audio, const AudioConfig& config);
// The steps before gain and pre-emphasis; then those two alone.
std::vector<float> clean_audio_before_emphasis(std::vector<float> audio, const AudioConfig& config);
void apply_emphasis(std::vector<float>& audio, const AudioConfig& config);

// Generated audio back to the plain domain, chunk by chunk: pre-emphasis inverted
// (y[n] = x[n] + coefficient * y[n-1]) and, when the mel was made before the gain, the gain
// divided out (the mel describes the audio before it). A no-op for configs without either.
class EmphasisUndo {
 public:
  explicit EmphasisUndo(const AudioConfig& config);
  void apply(std::vector<float>& chunk);

 private:
  float coefficient_;
  float scale_;
  float previous_ = 0.0f;
};

}  // namespace wn
