#include <gtest/gtest.h>

#include <random>

#include "core/errors.h"
#include "dataio/shard_reader.h"
#include "dataio/shard_writer.h"
#include "tests/test_support.h"

namespace wn {
namespace {

ShardUtterance random_utterance(const std::string& name, int32_t label, int frames, int hop,
                                int n_mels, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  ShardUtterance u;
  u.name = name;
  u.label = label;
  u.audio.resize(static_cast<std::size_t>(frames * hop));
  u.mel.resize(static_cast<std::size_t>(frames * n_mels));
  for (float& v : u.audio) v = normal(rng);
  for (float& v : u.mel) v = normal(rng);
  return u;
}

TEST(Shards, WriteReadRoundTripIsBitExact) {
  test::TempDir dir;
  std::mt19937 rng(7);
  const ShardAttributes attributes{16000, 64, 10};
  std::vector<ShardUtterance> utterances = {
      random_utterance("spk1/a", 0, 5, 64, 10, rng), random_utterance("ünïcode", 3, 1, 64, 10, rng),
      random_utterance("c", -1, 300, 64, 10, rng)};
  write_shard(dir / "s.h5", attributes, utterances, ShardChunking{1024});

  const ShardReader reader(dir / "s.h5");
  EXPECT_EQ(reader.attributes().sample_rate, 16000);
  EXPECT_EQ(reader.attributes().hop_length, 64);
  EXPECT_EQ(reader.attributes().n_mels, 10);
  ASSERT_EQ(reader.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const ShardUtterance back = reader.read_utterance(i);
    EXPECT_EQ(back.name, utterances[i].name);
    EXPECT_EQ(back.label, utterances[i].label);
    EXPECT_EQ(back.audio, utterances[i].audio);
    EXPECT_EQ(back.mel, utterances[i].mel);
    EXPECT_EQ(reader.frames(i) * 64, reader.samples(i));
  }
  // Partial reads address the right region of the concatenation.
  const auto audio = reader.read_audio(2, 1000, 50);
  EXPECT_EQ(audio, std::vector<float>(utterances[2].audio.begin() + 1000, utterances[2].audio.begin() + 1050));
  const auto mel = reader.read_mel(2, 17, 3);
  EXPECT_EQ(mel, std::vector<float>(utterances[2].mel.begin() + 170, utterances[2].mel.begin() + 200));
  EXPECT_THROW(reader.read_audio(0, 300, 30), IoError);
  EXPECT_THROW(reader.read_mel(1, 0, 2), IoError);
}

TEST(Shards, EmptyShardRoundTrips) {
  test::TempDir dir;
  write_shard(dir / "e.h5", ShardAttributes{22050, 256, 80}, {});
  EXPECT_EQ(ShardReader(dir / "e.h5").size(), 0u);
}

TEST(Shards, MisalignedUtteranceIsRejected) {
  test::TempDir dir;
  ShardUtterance u;
  u.name = "bad";
  u.audio.resize(100);
  u.mel.resize(80);
  EXPECT_THROW(write_shard(dir / "x.h5", ShardAttributes{22050, 256, 80}, {u}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.h5"));
}

TEST(Shards, NonShardFilesAreClearErrors) {
  test::TempDir dir;
  test::write_text(dir / "text.h5", "not hdf5");
  try {
    ShardReader r(dir / "text.h5");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("text.h5: not an HDF5 file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ShardReader(dir / "missing.h5"), IoError);
}

TEST(Shards, ChunkCoversCrops) {
  EXPECT_EQ(chunking_for_crops(8192).audio_chunk, 65536);
  EXPECT_EQ(chunking_for_crops(65536).audio_chunk, 65536);
  EXPECT_EQ(chunking_for_crops(100000).audio_chunk, 131072);
}

}  // namespace
}  // namespace wn
