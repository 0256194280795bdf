#pragma once
// Mel recipes of the projects our users' front ends and vocoders come from, beside ours. Each is
// a log of a Slaney-filterbank STFT magnitude mel (periodic Hann, centred reflect-padded frames)
// and differs from the others in band, floor, log base, and an optional per-band normaliser, so
// each is an AudioConfig of our MelSpectrogram plus (mean, scale) applied after the log:
//   r9y9       r9y9/wavenet_vocoder: log10(max(mel, 1e-10)), 125-7600 Hz (its normaliser:
//              meanvar.joblib's StandardScaler, given as NAME:MEANVAR.npy)
//   tacotron2  NVIDIA Tacotron 2: ln(max(mel, 1e-5)), 0-8000 Hz, no normalisation
//   espnet     ESPnet's TTS front ends (espnet2 LogMelFbank defaults, espnet1 logmelspectrogram):
//              log10(max(mel, 1e-10)), 80-7600 Hz (its global MVN, if used: NAME:MEANVAR.npy)
// All at 22050 Hz, n_fft 1024, hop 256, 80 bands, as their LJSpeech recipes. Golden files made by
// tests/golden/make_mel_recipe_goldens.py check each against a torchaudio computation.

#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct MelRecipe {
  std::string name;
  AudioConfig audio;               // the mel fields: rate, n_fft, window, hop, bands, band, power, log, floor
  std::vector<double> mean, scale;  // per band, applied after the log as (x - mean) / scale; empty: none
};

// "r9y9, tacotron2, espnet"
std::string mel_recipe_names();
// Whether a spec (NAME or NAME:MEANVAR.npy) names one of them.
bool names_mel_recipe(const std::string& spec);
// Throws UserError naming the known recipes for another name.
MelRecipe named_mel_recipe(const std::string& name);
// "NAME" or "NAME:MEANVAR.npy" (a (2, n_mels) float32 .npy: mean row, scale row).
MelRecipe mel_recipe_from_spec(const std::string& spec);
// A recipe with our audio config's mel and no normaliser (a checkpoint takes its mels so).
MelRecipe mel_recipe_of(const std::string& name, const AudioConfig& audio);

}  // namespace wn
