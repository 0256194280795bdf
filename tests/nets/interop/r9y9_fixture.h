#pragma once
// An r9y9/wavenet_vocoder model made at test time by the committed reimplementation
// (tests/nets/interop/r9y9_reference.py, run with Python's torch): a checkpoint in that project's
// layout, its hparams JSON and what its forward computes on a test clip.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/run_program.h"
#include "dataio/npy.h"
#include "nets/interop/r9y9_import.h"

namespace wn::test {

struct R9y9Fixture {
  std::filesystem::path dir;
  std::filesystem::path checkpoint() const { return dir / "checkpoint_step000123456_ema.pth"; }
  std::filesystem::path hparams() const { return dir / "hparams.json"; }
  std::filesystem::path meanvar() const { return dir / "meanvar.npy"; }  // the gaussian variant only
  bool has_meanvar() const { return std::filesystem::exists(meanvar()); }
  NpyArray array(const std::string& name) const { return read_npy(dir / (name + ".npy")); }
  int64_t speaker() const { return variant == "speakers" ? 2 : -1; }  // as the script picks it
  std::string variant;
};

// Variants: mol (80-mel, cin_pad 2, pre-emphasis and gain), mulaw256 (softmax, cin_pad 0),
// gaussian (imported with a mel normaliser), speakers (mixture of logistics with an embedding).
// `legacy`: the checkpoint in PyTorch's older non-zip format.
inline void make_r9y9_fixture(const std::string& variant, const std::filesystem::path& dir, R9y9Fixture& fixture,
                              bool legacy = false) {
  std::vector<std::string> argv = {python_with_torch(), std::string(WAVENET_SOURCE_DIR) + "/tests/nets/interop/r9y9_reference.py",
                                   variant, dir.string()};
  if (legacy) argv.push_back("legacy");
  const ProgramOutcome made = run_program(argv);
  ASSERT_EQ(made.exit_code, 0) << made.error_output;
  fixture.dir = dir;
  fixture.variant = variant;
}

}  // namespace wn::test
