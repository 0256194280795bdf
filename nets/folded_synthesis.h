#pragma once
// Folding: one long utterance on a batch generator. Batch generation is fast per sample but a
// single clip runs at batch-1 speed; folding cuts the clip's mel into `segments` pieces and
// generates them as one batch. Each piece after the first starts `overlap_frames` early: it
// runs freely over that overlap first, so that its state (the receptive field's past) is warm
// when its own part begins, and the two pieces are cross-faded over the second half of the
// overlap (equal-power: the joined pieces are uncorrelated noise-like signals, whose energy a
// linear fade would dip by 3 dB in the middle).
//
// Each piece's mel comes with the real neighbouring frames as its context, so its conditioning
// near its ends is the whole utterance's. What folding costs is that a piece's first samples
// do not continue the previous piece's waveform: the cross-fade hides the seam (docs/benchmarks.md
// measures the quality cost).

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "nets/generator.h"

namespace wn {

struct FoldOptions {
  int segments = 1;        // pieces generated together; 1: no folding
  int overlap_frames = 4;  // frames a piece starts before its own part (warm-up + cross-fade)
  int hop_length = 256;
  int context_frames = 0;  // the mel's context rows each side (Model::data_needs())
  double temperature = 1.0;
  std::function<void(int64_t)> on_samples;  // steps of the batch done (up to folded_steps())
};

// mel: (frames + 2*context, n_mels), the rows a whole-utterance request holds; label: -1 or the
// global condition. Returns frames * hop samples.
std::vector<float> synthesize_folded(Generator& generator, const at::Tensor& mel, int64_t label, uint64_t seed,
                                     const FoldOptions& options);

// Steps the batch of pieces runs for an utterance of `frames` frames (its longest piece), for
// progress bars: FoldOptions::on_samples counts up to it.
int64_t folded_steps(int64_t frames, const FoldOptions& options);

// Pieces for an utterance of `frames` frames: as many as fit while each piece's own part is at
// least four overlaps long (so the overlaps cost at most a quarter more steps), at most
// max_segments.
int automatic_fold(int64_t frames, int overlap_frames, int max_segments);
// The cap `--fold auto` uses: about where the engine's aggregate speed stops growing with the batch.
constexpr int kMaxAutomaticFold = 16;

// The overlap (frames) a model with this receptive field needs: warm-up over at least the
// receptive field, then a cross-fade as long again; at least 2 frames.
int fold_overlap_frames(int64_t receptive_field_samples, int hop_length);

}  // namespace wn
