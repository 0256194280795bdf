// Streaming synthesis: frames pushed a few at a time give bit for bit the audio of one
// whole-utterance call, samples come out only once final, and the look-ahead is what the
// upsampler's shape says.

#include "nets/wavenet/engine/streaming_synthesis.h"

#include <gtest/gtest.h>

#include "core/config/config_io.h"
#include "core/errors.h"

namespace wn {
namespace {

// A small mel-conditioned model with random (not initial) upsampler weights, so that every
// conditioning row matters; the tiny preset's mel recipe (80 mels, hop 256 = 4 x 4 x 4 x 4).
WaveNet streaming_model(const std::vector<std::string>& overrides) {
  std::vector<std::string> all = {"model.output=mol", "model.input=raw", "model.quantize_channels=65536"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml", all);
  torch::manual_seed(21);
  WaveNet net(config.model, config.audio.n_mels);
  torch::NoGradGuard no_grad;
  for (auto& p : net->named_parameters()) {
    if (p.key().rfind("upsampler.", 0) == 0) p.value().normal_(0.0, 0.3);
  }
  return net;
}

torch::Tensor whole_utterance(CachedEngine& engine, const torch::Tensor& mel, uint64_t seed) {
  GenerationRequest request;
  request.mel = mel.unsqueeze(0);
  request.samples = (mel.size(0) - 2 * 2) * 256;  // the tiny preset's context: 2 frames each side
  return engine.generate(request, seed)[0];
}

// Pushes the rows in pieces of the given sizes (cycled), then finishes.
torch::Tensor streamed(CachedEngine& engine, const torch::Tensor& mel, uint64_t seed, const std::vector<int>& pieces,
                       std::vector<int64_t>* emitted_after = nullptr) {
  StreamingSynthesis stream(engine, seed);
  std::vector<float> audio;
  const int n_mels = static_cast<int>(mel.size(1));
  int64_t row = 0;
  for (std::size_t i = 0; row < mel.size(0); ++i) {
    const int64_t count = std::min<int64_t>(pieces[i % pieces.size()], mel.size(0) - row);
    const std::vector<float> part = stream.push(mel.data_ptr<float>() + row * n_mels, count);
    audio.insert(audio.end(), part.begin(), part.end());
    row += count;
    EXPECT_EQ(static_cast<int64_t>(audio.size()), stream.final_samples(row)) << "after " << row << " rows";
    if (emitted_after) emitted_after->push_back(static_cast<int64_t>(audio.size()));
  }
  const std::vector<float> rest = stream.finish();
  audio.insert(audio.end(), rest.begin(), rest.end());
  return torch::tensor(audio);
}

TEST(StreamingSynthesis, EqualsTheWholeUtterance) {
  for (const int threads : {1, 2}) {
    WaveNet net = streaming_model({});
    EngineOptions options;
    options.threads = threads;
    options.chunk = 96;  // chunks that straddle frames and pushes
    CachedEngine engine(net, options);
    const torch::Tensor mel = torch::randn({23 + 4, 80});
    const torch::Tensor whole = whole_utterance(engine, mel, 5);
    for (const std::vector<int>& pieces : {std::vector<int>{1}, {3, 1, 7}, {27}}) {
      const torch::Tensor got = streamed(engine, mel, 5, pieces);
      ASSERT_EQ(got.numel(), whole.numel()) << threads << " threads";
      EXPECT_TRUE(torch::equal(got, whole)) << threads << " threads, pieces of " << pieces[0] << ", first difference at "
                                            << (got != whole).nonzero().min().item<int64_t>();
    }
  }
}

// With a label (global conditioning) and the transposed upsampler too.
TEST(StreamingSynthesis, EqualsTheWholeUtteranceWithLabelsAndTransposedUpsampler) {
  WaveNet net = streaming_model({"model.upsample_mode=transposed", "model.global_conditioning=true", "model.n_labels=3"});
  CachedEngine engine(net, EngineOptions{});
  const torch::Tensor mel = torch::randn({12 + 4, 80});
  GenerationRequest request;
  request.mel = mel.unsqueeze(0);
  request.labels = torch::tensor({2}, torch::kLong);
  request.samples = 12 * 256;
  const torch::Tensor whole = engine.generate(request, 8)[0];
  StreamingSynthesis stream(engine, 8, 2);
  std::vector<float> audio;
  for (int64_t row = 0; row < mel.size(0); row += 2) {
    const std::vector<float> part = stream.push(mel.data_ptr<float>() + row * 80, 2);
    audio.insert(audio.end(), part.begin(), part.end());
  }
  const std::vector<float> rest = stream.finish();
  audio.insert(audio.end(), rest.begin(), rest.end());
  EXPECT_TRUE(torch::equal(torch::tensor(audio), whole));
}

// The look-ahead: samples a frame covers come out once `lookahead_samples` more are covered.
// For the tiny preset (frame kernel 5, smoothing stages 4 x 4 x 4, last stage 4): after n rows,
// the last stage's final input rows are ((((n - 4) - 1) * 4 - 1) * 4 - 1) * 4, and samples are
// final up to (rows - 1) * 4.
TEST(StreamingSynthesis, LookaheadFollowsTheUpsamplerShape) {
  WaveNet net = streaming_model({});
  CachedEngine engine(net, EngineOptions{});
  StreamingSynthesis stream(engine, 1);
  for (int64_t n : {4, 5, 6, 10, 40}) {
    const int64_t rows = n < 5 ? 0 : std::max<int64_t>(0, (((n - 5) * 4 - 1) * 4 - 1) * 4);
    EXPECT_EQ(stream.final_rows(n), rows) << n;
    EXPECT_EQ(stream.final_samples(n), std::max<int64_t>(0, (rows - 1) * 4)) << n;
  }
  // After n rows, 2 of them leading context, the frames of (n - 2) * 256 samples are in; the
  // samples not final among them are the look-ahead: 852 (2 frames of the frame convolution,
  // 340 samples of the smoothing stages beyond them).
  EXPECT_EQ(stream.lookahead_samples(), (40 - 2) * 256 - stream.final_samples(40));
  EXPECT_EQ(stream.lookahead_samples(), 852);
}

TEST(StreamingSynthesis, RefusesAnUnconditionalModel) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml", {"model.local_conditioning=false"});
  WaveNet net(config.model, config.audio.n_mels);
  CachedEngine engine(net, EngineOptions{});
  EXPECT_THROW(StreamingSynthesis stream(engine, 1), UserError);
}

}  // namespace
}  // namespace wn
