#pragma once
// The sine source of a pitch-conditioned WaveNet (model.pitch_harmonics = H > 0, after the
// neural source-filter models): from an F0 per mel frame (Hz, 0 = unvoiced) it makes 2H + 1
// channels per sample, [v, v sin(2 pi h phi), v cos(2 pi h phi) for h = 1..H], where v is 1 in
// voiced frames and phi the running phase in cycles. Sample t takes the F0 of frame t / hop; the
// phase advances by F0 / sample_rate per sample and only while voiced, so it is continuous across
// frames and across the calls that stream frames in. Plain loops in double, so every generator
// and training make the same channels from the same F0 track.
//
// Training locks the phase to the audio's own fundamental (lock_phases): an autoregressive
// model learns where in the source's cycle the glottal pulses fall only if that place is the
// same from crop to crop, which a free-running phase (drifting with every error of the F0
// track) does not give. Generation runs free: the pulses then come where the model learned
// them, one per cycle.

#include <cstdint>
#include <vector>

namespace wn {

inline int harmonic_source_channels(int harmonics) { return harmonics > 0 ? 2 * harmonics + 1 : 0; }

// One utterance's source, frame by frame as its F0 arrives.
class HarmonicSource {
 public:
  HarmonicSource() = default;  // no harmonics: no channels
  HarmonicSource(int harmonics, int hop, int sample_rate);

  // Appends the F0 of `count` more frames.
  void add_frames(const float* f0_hz, int64_t count);
  int64_t frames() const { return static_cast<int64_t>(f0_.size()); }
  int channels() const { return harmonic_source_channels(harmonics_); }

  // Sets every voiced frame's phase at its first sample to phase[f] (cycles) and bends the
  // frames between two voiced ones so that each runs into the next's phase at the frequency
  // nearest their mean F0 (whole cycles added or dropped); a voiced frame before an unvoiced
  // one keeps its own F0. Training only: it needs the whole track.
  void lock_phases(const float* phase);

  // The channels of sample t into out[0 .. channels()); zeros when t's frame has not arrived.
  void at(int64_t t, float* out) const;

 private:
  int harmonics_ = 0;
  int hop_ = 1;
  double cycles_per_hz_ = 0;       // 1 / sample_rate
  std::vector<float> f0_;          // per frame
  std::vector<double> start_;      // per frame: the phase (cycles, in [0, 1)) at its first sample
  std::vector<double> step_;       // per frame: cycles per sample
};

// Channel-major source of a whole track: channels() x (frames * hop), row-major; with `phase`
// (cycles per frame) locked to it.
std::vector<float> harmonic_source_track(int harmonics, int hop, int sample_rate, const float* f0_hz, int64_t frames,
                                         const float* phase = nullptr);

}  // namespace wn
