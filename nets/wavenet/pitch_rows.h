#pragma once
// The pitch head (nets/wavenet/pitch_head.h) in plain loops, and the harmonic source it drives,
// for generators that receive mel rows one block at a time (the cached engine, streaming).

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "nets/wavenet/harmonic_source.h"

namespace wn {

// Each row standardised across its bins, conv over `kernel` mel rows (n_mels -> hidden), ReLU,
// 1x1 (hidden -> hidden), ReLU, 1x1 (hidden -> 2): the voicing logit and log(F0 / kPitchReferenceHz).
struct PitchHeadArrays {
  int n_mels = 0, kernel = 0, hidden = 0;
  std::vector<float> w1, b1;  // [hidden][n_mels][kernel] as the module stores it, [hidden]
  std::vector<float> w2, b2;  // [hidden][hidden], [hidden]
  std::vector<float> w3, b3;  // [2][hidden], [2]

  // F0 in Hz of the frame whose rows are rows[0 .. kernel) (n_mels each, row-major); 0 when unvoiced.
  float f0(const float* rows) const;
};

constexpr double kPitchReferenceHz = 100.0;
constexpr float kPitchRowEpsilon = 1e-4f;  // added to each row's variance before dividing by its root
constexpr double kPitchMinHz = 50.0, kPitchMaxHz = 600.0;  // the head's F0 is kept in this range

// The head's F0 from its two outputs, as every generator and the LibTorch module compute it.
inline float f0_from_pitch_outputs(float voicing_logit, float log_ratio);

// What a generator needs for a pitch-conditioned model: the head, the source's shape, and where
// the frames start in the mel rows it receives.
struct PitchConditioning {
  std::shared_ptr<const PitchHeadArrays> head;  // null: no pitch conditioning
  int harmonics = 0;
  int hop = 256;
  int sample_rate = 22050;
  bool active() const { return head != nullptr; }
  int channels() const { return harmonic_source_channels(harmonics); }
};

// Every batch row's source, extended as mel rows arrive (context rows included: frame f is
// known once rows f .. f + kernel - 1 are).
class PitchRows {
 public:
  PitchRows(const PitchConditioning& pitch, int batch);
  void add(int b, const float* mel_rows, int64_t count);
  // The source channels of step t of row b into out[0 .. channels()); zeros before its frame is known.
  void at(int b, int64_t t, float* out) const { sources_[b].at(t, out); }
  int channels() const { return pitch_.channels(); }
  // Row b's F0 track so far (Hz per frame, 0 = unvoiced).
  std::vector<float> f0(int b) const { return f0_[b]; }
  // Row b's F0 of frame f; 0 while it is not known.
  float f0_at(int b, int64_t f) const { return f < static_cast<int64_t>(f0_[b].size()) ? f0_[b][static_cast<std::size_t>(f)] : 0.0f; }

 private:
  PitchConditioning pitch_;
  std::vector<std::vector<float>> window_;  // [b]: the last kernel - 1 rows received
  std::vector<std::vector<float>> f0_;
  std::vector<HarmonicSource> sources_;
};

inline float f0_from_pitch_outputs(float voicing_logit, float log_ratio) {
  if (!(voicing_logit > 0.0f)) return 0.0f;
  const double hz = kPitchReferenceHz * std::exp(static_cast<double>(log_ratio));
  return static_cast<float>(hz < kPitchMinHz ? kPitchMinHz : (hz > kPitchMaxHz ? kPitchMaxHz : hz));
}

}  // namespace wn
