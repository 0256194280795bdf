#pragma once
// `wavenet import r9y9`: an r9y9/wavenet_vocoder checkpoint and its hparams JSON to one of our
// checkpoints (synth, bench, eval, nll and train --init take it like any other). The PyTorch
// file is read by Python's torch (a short script built into the program; LibTorch cannot read a
// pickled OrderedDict); every tensor is then mapped here, in C++, to our WaveNet: weight-norm
// pairs kept as pairs, the upsampler's weight-normed smoothing convs folded into plain kernels,
// its conv_in to our input conv over 2*cin_pad+1 frames, the speaker embedding to the label
// embedding. A key or shape that has no place in the model is an error naming it.

#include <filesystem>
#include <string>
#include <vector>

#include "nets/interop/r9y9_hparams.h"
#include "nets/model.h"

namespace wn {

// The Python interpreter that has torch: $WAVENET_PYTHON, else the one found at build time.
std::string python_with_torch();

// A PyTorch checkpoint's state dict (float32) and global_step, read by Python's torch. Throws
// UserError naming the file when it is missing or torch cannot read it (Python's message line).
struct TorchCheckpoint {
  NamedTensors state;
  int64_t step = 0;
};
TorchCheckpoint read_torch_checkpoint(const std::filesystem::path& path);

// r9y9 state dict -> our WaveNet's weights by name. `dropped` receives the r9y9 keys that feed
// nothing in the computation (the last layer's residual 1x1, whose output r9y9 discards too).
// Throws UserError "<origin>: <key>: <problem>" for a key or shape the model has no place for,
// or a weight of the model that the checkpoint does not hold.
NamedTensors wavenet_weights_from_r9y9(const NamedTensors& state, const Config& config, const std::string& origin,
                                       std::vector<std::string>* dropped = nullptr);

struct R9y9ImportOptions {
  std::filesystem::path checkpoint;  // r9y9's .pth (checkpoint_stepN.pth or *_ema.pth)
  std::filesystem::path hparams;     // its JSON
  // Optional: (2, num_mels) float .npy, the mean and scale of r9y9's mel normaliser
  // (meanvar.joblib's StandardScaler mean_ and scale_). With it the imported model reads the
  // plain log10 mels our recipe makes; without it, mels normalised as r9y9's dump holds them.
  std::filesystem::path meanvar;
  std::filesystem::path out;
};

struct R9y9ImportReport {
  int64_t step = 0;              // r9y9's global_step
  int64_t tensors = 0;           // r9y9 tensors mapped
  std::vector<std::string> dropped;
  std::string model;             // the imported model's one-line description
  std::filesystem::path config;  // the resolved config written beside the checkpoint (.yaml)
};

// Writes options.out and its config (options.out with the extension .yaml) atomically. Throws UserError naming the file on any problem.
R9y9ImportReport import_r9y9(const R9y9ImportOptions& options);

}  // namespace wn
