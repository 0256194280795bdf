// Folding one utterance into a batch of pieces: the pieces are the right slices of the mel, the
// joins are cross-faded without clicks, and on the real engine the first piece is bit for bit
// the unfolded audio over its own part.

#include "nets/folded_synthesis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/config/config_io.h"
#include "nets/wavenet/engine/cached_engine.h"
#include "nets/wavenet/receptive_field.h"

namespace wn {
namespace {

constexpr int kHop = 256, kContext = 2;

// Row b plays a sine of a fixed frequency with a phase of its own (from its seed): pieces that do
// not continue each other's waveform, as a free-running model's do not. It also checks that
// each row's mel is a slice of the utterance's (mel value = frame index).
class SineRows final : public Generator {
 public:
  at::Tensor generate(const GenerationRequest& r, uint64_t, at::Tensor*, GenerationTimings*) override {
    const int64_t B = r.mel.size(0);
    at::Tensor audio = torch::zeros({B, r.samples});
    for (int64_t b = 0; b < B; ++b) {
      first_frames.push_back(r.mel[b][kContext][0].item<float>());
      for (int64_t f = 1; f < r.mel_frames[b]; ++f) {
        EXPECT_EQ(r.mel[b][f][0].item<float>(), r.mel[b][0][0].item<float>() + f) << "row " << b << " is not one slice";
      }
      std::mt19937_64 rng(r.seeds[b]);
      const double phase = std::uniform_real_distribution<double>(0, 2 * M_PI)(rng);
      for (int64_t t = 0; t < r.samples; ++t) audio[b][t] = 0.5 * std::sin(2 * M_PI * 200.0 * t / 22050.0 + phase);
    }
    return audio;
  }
  GeneratorFacts facts() const override { return {}; }
  std::vector<float> first_frames;
};

// The padded mel of `frames` frames whose first value per row is the padded row's index.
torch::Tensor counting_mel(int64_t frames) {
  torch::Tensor mel = torch::zeros({frames + 2 * kContext, 4});
  for (int64_t f = 0; f < mel.size(0); ++f) mel[f].fill_(static_cast<float>(f));
  return mel;
}

double max_step(const std::vector<float>& a, int64_t from, int64_t to) {
  double m = 0;
  for (int64_t t = std::max<int64_t>(1, from); t < to; ++t) m = std::max(m, std::abs(double(a[t]) - a[t - 1]));
  return m;
}

TEST(FoldedSynthesis, PiecesAreSlicesAndJoinsHaveNoClicks) {
  SineRows generator;
  FoldOptions o;
  o.segments = 4;
  o.overlap_frames = 4;
  o.hop_length = kHop;
  o.context_frames = kContext;
  const int64_t frames = 40;
  const std::vector<float> audio = synthesize_folded(generator, counting_mel(frames), -1, 3, o);
  ASSERT_EQ(static_cast<int64_t>(audio.size()), frames * kHop);
  // Piece b covers frames [10b - 4, 10b + 10) (the first from 0): its mel starts there.
  EXPECT_EQ(generator.first_frames, (std::vector<float>{2, 8, 18, 28}));
  // A sine's largest step between samples, away from the joins, against the largest step at
  // each join: a hard cut between two phases would jump by up to the full amplitude (1.0).
  const double normal = max_step(audio, 0, 6 * kHop);
  ASSERT_GT(normal, 0.01);
  for (int b = 1; b < 4; ++b) {
    const int64_t join = 10 * b * kHop;
    EXPECT_LT(max_step(audio, join - 4 * kHop, join + kHop), 1.5 * normal) << "click at join " << b;
  }
}

TEST(FoldedSynthesis, AutomaticFoldAndOverlap) {
  EXPECT_EQ(automatic_fold(100, 4, 16), 6);   // pieces of at least 4 overlaps
  EXPECT_EQ(automatic_fold(1000, 4, 16), 16); // at most the batch
  EXPECT_EQ(automatic_fold(10, 4, 16), 1);    // too short to fold
  EXPECT_EQ(fold_overlap_frames(505, 256), 4);  // mol24: 2 frames of warm-up, 2 of fade
  EXPECT_EQ(fold_overlap_frames(63, 256), 2);
}

// On the engine: one piece is the unfolded call; with four, the first piece is the unfolded
// audio bit for bit (its seed, its conditioning) until the next piece's fade begins (frame 6
// minus half the overlap of 4), and the rest is audio of the same length and loudness.
TEST(FoldedSynthesis, OnTheEngine) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                                       {"model.output=mol", "model.input=raw", "model.quantize_channels=65536"});
  torch::manual_seed(4);
  WaveNet net(config.model, config.audio.n_mels);
  EngineOptions options;
  options.threads = 2;
  CachedEngine engine(net, options);
  const int64_t frames = 24;
  const torch::Tensor mel = torch::randn({frames + 2 * kContext, config.audio.n_mels});
  GenerationRequest request;
  request.mel = mel.unsqueeze(0);
  request.samples = frames * kHop;
  request.seeds = {9};
  const torch::Tensor whole = engine.generate(request, 0)[0];
  FoldOptions o;
  o.hop_length = kHop;
  o.context_frames = kContext;
  o.overlap_frames = fold_overlap_frames(receptive_field_samples(config.model), kHop);
  const std::vector<float> one = synthesize_folded(engine, mel, -1, 9, o);
  EXPECT_TRUE(torch::equal(torch::tensor(one), whole));
  o.segments = 4;
  const std::vector<float> four = synthesize_folded(engine, mel, -1, 9, o);
  ASSERT_EQ(static_cast<int64_t>(four.size()), frames * kHop);
  const torch::Tensor folded = torch::tensor(four);
  EXPECT_TRUE(torch::equal(folded.narrow(0, 0, 4 * kHop), whole.narrow(0, 0, 4 * kHop)));
  EXPECT_FALSE(torch::equal(folded, whole));
  EXPECT_NEAR(folded.pow(2).mean().item<double>(), whole.pow(2).mean().item<double>(), 0.5 * whole.pow(2).mean().item<double>());
}

}  // namespace
}  // namespace wn
