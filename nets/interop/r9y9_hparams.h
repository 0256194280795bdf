#pragma once
// The hyper-parameters of an r9y9/wavenet_vocoder model (its `egs/*/conf/*.json` presets, which
// train.py reads with --hparams), and the config of our WaveNet that computes the same function.
// Keys a preset leaves out take that project's hparams.py defaults. A setting our WaveNet cannot
// reproduce exactly is refused in one line naming the key; nothing is approximated.

#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

struct R9y9Hparams {
  std::string input_type = "raw";  // raw | mulaw-quantize (mulaw: refused)
  int quantize_channels = 65536;
  std::string preprocess;           // "" | none | preemphasis
  std::string postprocess;          // "" | none | inv_preemphasis
  double global_gain_scale = 1.0;
  int sample_rate = 22050;
  int num_mels = 80;
  double fmin = 125.0;
  double fmax = 7600.0;
  int fft_size = 1024;
  int hop_size = 256;
  int win_length = 1024;
  std::string window = "hann";
  double highpass_cutoff = 70.0;
  std::string output_distribution = "Logistic";  // Logistic | Normal
  double log_scale_min = -16.0;
  int out_channels = 30;
  int layers = 24;
  int stacks = 4;
  int residual_channels = 128;
  int gate_channels = 256;
  int skip_out_channels = 128;
  double dropout = 0.0;
  int kernel_size = 3;
  int cin_channels = 80;
  int cin_pad = 2;
  bool upsample_conditional_features = true;
  std::string upsample_net = "ConvInUpsampleNetwork";  // or UpsampleNetwork
  std::vector<int> upsample_scales = {4, 4, 4, 4};
  std::string upsample_activation = "none";
  std::string upsample_mode = "nearest";
  int freq_axis_kernel_size = 1;
  int gin_channels = -1;
  int n_speakers = 7;
  int max_time_steps = 10240;  // training crop
};

// Pre-emphasis coefficient of r9y9's audio.preemphasis (its default argument).
inline constexpr double kR9y9Preemphasis = 0.85;
// Floor of r9y9's log10 mel (audio.logmelspectrogram).
inline constexpr double kR9y9MelFloor = 1e-10;

// Reads the JSON; throws UserError naming the file and the key for a malformed or unsupported value.
R9y9Hparams read_r9y9_hparams(const std::filesystem::path& path);

// Our config for the same model and recipe: the mel as r9y9 makes it (log10 amplitude of the
// Slaney filterbank, floor 1e-10, made before gain and pre-emphasis), its gain and pre-emphasis
// as the model's time domain, mu-law rounded down, and the network's shapes. `normalized_mels`:
// the model reads mels standardised by statistics stored with it (data.normalize_mel).
Config config_for_r9y9(const R9y9Hparams& hparams, bool normalized_mels);

}  // namespace wn
