#pragma once
// Checks shared by the tests of WaveNet variants that add per-row state to generation (linear
// prediction, the pitch source): the request mel of some audio, and the engine's promise that
// streaming and rows of their own lengths give a batch of one's samples, bit for bit.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "core/config/config.h"
#include "dataio/mel.h"
#include "nets/generator.h"

namespace wn::test {

// The request mel of `audio` (whole hops): (1, frames + 4, n_mels), frame f centred on sample
// f * hop, with the two rows of silence each side that the conditioning's context reads.
inline torch::Tensor request_mel(const Config& config, const torch::Tensor& audio) {
  const torch::Tensor a = audio.contiguous();
  const MelSpectrogram spectrogram(config.audio);
  const std::vector<float> mel = spectrogram.compressed(std::vector<float>(a.data_ptr<float>(), a.data_ptr<float>() + a.numel()));
  const int64_t frames = a.numel() / config.audio.hop_length, M = config.audio.n_mels;
  torch::Tensor out = torch::full({1, frames + 4, M}, spectrogram.silence_value());
  out[0].narrow(0, 2, frames).copy_(torch::tensor(mel).reshape({-1, M}).narrow(0, 0, frames));
  return out;
}

// long_mel streamed three rows at a time, and long_mel and short_mel in one padded batch, give
// the samples each gives alone (seeds 7 and 8).
inline void expect_streams_and_short_rows_equal_a_batch_of_one(Generator& engine, const Config& config,
                                                                const torch::Tensor& long_mel, const torch::Tensor& short_mel) {
  const int hop = config.audio.hop_length;
  auto alone = [&](const torch::Tensor& mel, uint64_t seed) {
    GenerationRequest request;
    request.mel = mel;
    request.samples = (mel.size(1) - 4) * hop;
    request.seeds = {seed};
    return engine.generate(request, 0)[0];
  };
  const torch::Tensor long_alone = alone(long_mel, 7), short_alone = alone(short_mel, 8);

  std::unique_ptr<GeneratorStream> stream = engine.stream(7, -1, 1.0);
  ASSERT_TRUE(stream);
  std::vector<float> streamed;
  const torch::Tensor rows = long_mel[0].contiguous();
  for (int64_t r = 0; r < rows.size(0); r += 3) {
    const std::vector<float> part = stream->push(rows[r].data_ptr<float>(), std::min<int64_t>(3, rows.size(0) - r));
    streamed.insert(streamed.end(), part.begin(), part.end());
  }
  const std::vector<float> rest = stream->finish();
  streamed.insert(streamed.end(), rest.begin(), rest.end());
  EXPECT_TRUE(torch::equal(torch::tensor(streamed), long_alone)) << "streamed";

  GenerationRequest both;
  both.mel = torch::zeros({2, long_mel.size(1), config.audio.n_mels});
  both.mel[0].copy_(long_mel[0]);
  both.mel[1].narrow(0, 0, short_mel.size(1)).copy_(short_mel[0]);
  both.mel_frames = {long_mel.size(1), short_mel.size(1)};
  both.seeds = {7, 8};
  both.samples = long_alone.numel();
  const torch::Tensor together = engine.generate(both, 0);
  EXPECT_TRUE(torch::equal(together[0], long_alone)) << "long row in a batch";
  EXPECT_TRUE(torch::equal(together[1].narrow(0, 0, short_alone.numel()), short_alone)) << "short row in a batch";
}

}  // namespace wn::test
