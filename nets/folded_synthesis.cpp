#include "nets/folded_synthesis.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace wn {
namespace {

constexpr int64_t kTrailingFrames = 2;

}  // namespace

int automatic_fold(int64_t frames, int overlap_frames, int max_segments) {
  const int64_t fits = frames / (4 * static_cast<int64_t>(std::max(1, overlap_frames)));
  return static_cast<int>(std::clamp<int64_t>(fits, 1, std::max(1, max_segments)));
}

int fold_overlap_frames(int64_t receptive_field_samples, int hop_length) {
  const int64_t warm_up = (receptive_field_samples + hop_length - 1) / hop_length;
  return static_cast<int>(std::max<int64_t>(2, 2 * warm_up));
}

namespace {

// Where each piece lies: its own frames [own[b], own[b+1]), the frames it starts early (lead)
// and the frames after its end it reads (trailing).
struct PieceLayout {
  int segments = 1;
  std::vector<int64_t> own, lead, trailing;
  int64_t steps(int b, int64_t hop) const { return (own[b + 1] - own[b] + lead[b] + trailing[b]) * hop; }
};

PieceLayout lay_out_pieces(int64_t frames, const FoldOptions& o) {
  PieceLayout p;
  p.segments = static_cast<int>(std::clamp<int64_t>(o.segments, 1, std::max<int64_t>(1, frames)));
  const int B = p.segments;
  p.own.resize(B + 1);
  p.lead.assign(B, 0);
  p.trailing.assign(B, 0);
  for (int b = 0; b <= B; ++b) p.own[b] = frames * b / B;
  for (int b = 0; b < B; ++b) {
    if (b > 0) p.lead[b] = std::min<int64_t>(o.overlap_frames, p.own[b]);
    // Up to kTrailingFrames after the piece, so that the smoothing stages' zero padding at the
    // row's end (it reaches back 84 rows of the last stage's input, under two frames, for scales
    // 4 x 4 x 4 x 4) falls past the part that is kept.
    p.trailing[b] = std::min<int64_t>(kTrailingFrames, frames - p.own[b + 1]);
  }
  return p;
}

}  // namespace

int64_t folded_steps(int64_t frames, const FoldOptions& options) {
  const PieceLayout p = lay_out_pieces(frames, options);
  int64_t steps = 0;
  for (int b = 0; b < p.segments; ++b) steps = std::max(steps, p.steps(b, options.hop_length));
  return steps;
}

std::vector<float> synthesize_folded(Generator& generator, const at::Tensor& mel, int64_t label, uint64_t seed,
                                     const FoldOptions& o) {
  const int64_t context = o.context_frames, hop = o.hop_length;
  const int64_t frames = mel.size(0) - 2 * context;
  const PieceLayout p = lay_out_pieces(frames, o);
  const int B = p.segments;

  GenerationRequest request;
  int64_t longest_rows = 0;
  for (int b = 0; b < B; ++b) longest_rows = std::max(longest_rows, p.steps(b, hop) / hop + 2 * context);
  request.mel = torch::zeros({B, longest_rows, mel.size(1)});
  for (int b = 0; b < B; ++b) {
    // Mel rows [first, first + rows) of the padded utterance: the piece and its context, which
    // inside the utterance are the neighbouring frames themselves.
    const int64_t first = p.own[b] - p.lead[b], rows = p.steps(b, hop) / hop + 2 * context;
    request.mel[b].narrow(0, 0, rows).copy_(mel.narrow(0, first, rows));
    request.mel_frames.push_back(rows);
    request.seeds.push_back(seed + static_cast<uint64_t>(b));
    request.samples = std::max(request.samples, p.steps(b, hop));
  }
  if (label >= 0) request.labels = torch::full({B}, label, torch::kLong);
  request.batch = B;
  request.temperature = o.temperature;
  if (o.on_samples) request.on_step = o.on_samples;
  const torch::Tensor pieces = generator.generate(request, seed);

  std::vector<float> audio(static_cast<std::size_t>(frames * hop), 0.0f);
  const float* all = pieces.data_ptr<float>();
  const int64_t stride = pieces.size(1);
  for (int b = 0; b < B; ++b) {
    const float* piece = all + b * stride;
    const int64_t start = (p.own[b] - p.lead[b]) * hop;  // where the piece's first sample goes
    const int64_t overlap = p.lead[b] * hop, fade = overlap / 2, warm = overlap - fade;
    // The warm-up half keeps the previous piece; the fade half blends; then the piece alone.
    for (int64_t i = warm; i < overlap; ++i) {
      const double angle = 0.5 * M_PI * static_cast<double>(i - warm + 1) / static_cast<double>(fade + 1);
      float& out = audio[start + i];
      out = static_cast<float>(std::cos(angle) * out + std::sin(angle) * piece[i]);
    }
    std::copy(piece + overlap, piece + (p.own[b + 1] - p.own[b] + p.lead[b]) * hop, audio.begin() + p.own[b] * hop);
  }
  return audio;
}

}  // namespace wn
