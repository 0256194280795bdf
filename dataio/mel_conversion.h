#pragma once
// Mels of one recipe to another (`wavenet convert-mels`, `synth --mel-recipe`). Each value is
// taken back through the source's normaliser and log to a mel magnitude (or power); where the two
// filterbanks agree (same rate, FFT, window, bands, band edges, power) only the log, floor and
// normaliser change, exactly. Otherwise each frame's spectrum is recovered as the non-negative
// least-squares solution of "source filterbank x spectrum = source mel" (multiplicative updates,
// which keep every bin non-negative), bins outside the source's band take its nearest edge bin's
// value, and the target's filterbank is applied to that. The fit error says how well the
// recovered spectrum re-makes the source mel.

#include <memory>
#include <string>
#include <vector>

#include "dataio/mel_recipe.h"

namespace wn {

struct ConvertedMel {
  std::vector<float> mel;    // frames x the target's n_mels, in the target's log, floor and normaliser
  bool exact = false;        // the filterbanks agree
  double fit_error_db = 0;   // mean |source mel re-made from the recovered spectrum - source mel|, dB
};

class MelConverter {
 public:
  // Throws UserError when the recipes' frame rates differ (sample rate or hop): frames would not
  // line up.
  MelConverter(MelRecipe from, MelRecipe to, int iterations = 300);
  ~MelConverter();
  MelConverter(const MelConverter&) = delete;
  MelConverter& operator=(const MelConverter&) = delete;

  bool exact() const { return exact_; }
  const MelRecipe& from() const { return from_; }
  const MelRecipe& to() const { return to_; }
  // `mel`: frames x from.n_mels. Throws UserError when it is not whole rows.
  ConvertedMel convert(const std::vector<float>& mel) const;

 private:
  struct Sparse;
  // Through one frame's recovered spectrum: the target's mel from the source's (both before
  // their logs); returns the frame's fit error in dB.
  double through_spectrum(const std::vector<double>& source, std::vector<double>& target) const;
  MelRecipe from_, to_;
  int iterations_;
  bool exact_;
  std::unique_ptr<Sparse> source_;  // the filterbanks' non-zero weights (inexact conversions)
  std::unique_ptr<Sparse> target_;
};

}  // namespace wn
