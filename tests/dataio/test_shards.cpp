#include <gtest/gtest.h>

#include <cmath>
#include <functional>
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

// Overwrites a whole int64 dataset of a shard in place, as damage in transit would.
void overwrite_int64(const std::filesystem::path& shard, const char* dataset, const std::vector<int64_t>& values) {
  silence_hdf5_errors();
  H5Handle file(H5Fopen(shard.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  H5Handle data(H5Dopen2(file.get(), dataset, H5P_DEFAULT), H5Dclose);
  ASSERT_GE(H5Dwrite(data.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
}

std::string shard_error(const std::function<void()>& read) { return test::error_message<IoError>(read); }

// A shard whose tables disagree is refused when opened, naming the shard and the table; values
// that are not numbers are refused when read, naming the utterance.
TEST(Shards, DamagedTablesAndValuesAreNamed) {
  test::TempDir dir;
  std::mt19937 rng(3);
  std::vector<ShardUtterance> utterances = {random_utterance("a", 0, 2, 4, 3, rng), random_utterance("b", 1, 3, 4, 3, rng)};
  utterances[1].mel[4] = std::nanf("");
  const auto path = dir / "s.h5";
  write_shard(path, ShardAttributes{8000, 4, 3}, utterances);
  {
    const ShardReader reader(path);  // closed before the damage below (HDF5 opens a file once per process)
    EXPECT_EQ(reader.read_audio(1, 0, 12).size(), 12u);
    EXPECT_NE(shard_error([&] { reader.read_mel(1, 0, 3); }).find("s.h5: mel of utterance b holds a non-finite value"),
              std::string::npos);
  }

  overwrite_int64(path, "audio_offsets", {0, 12, 8});
  EXPECT_NE(shard_error([&] { ShardReader r(path); }).find("audio_offsets decrease at utterance 1"), std::string::npos);
  overwrite_int64(path, "audio_offsets", {0, 8, 16});
  EXPECT_NE(shard_error([&] { ShardReader r(path); }).find("audio_offsets end at 16 but the data has 20 rows"),
            std::string::npos);
  overwrite_int64(path, "audio_offsets", {0, 8, 20});
  overwrite_int64(path, "mel_offsets", {0, 3, 5});
  EXPECT_NE(shard_error([&] { ShardReader r(path); }).find("utterance a has 8 samples for 3 mel frames of hop 4"),
            std::string::npos);
  overwrite_int64(path, "mel_offsets", {1, 2, 5});
  EXPECT_NE(shard_error([&] { ShardReader r(path); }).find("mel_offsets must start at 0"), std::string::npos);
}

TEST(Shards, LabelIdsMustBeKnownToTheManifest) {
  test::TempDir dir;
  std::mt19937 rng(4);
  write_shard(dir / "s.h5", ShardAttributes{8000, 4, 3},
              {random_utterance("a", -1, 2, 4, 3, rng), random_utterance("b\nc", 1, 2, 4, 3, rng)});
  const ShardReader reader(dir / "s.h5");
  EXPECT_NO_THROW(reader.check_label_ids(2));
  const std::string message = shard_error([&] { reader.check_label_ids(1); });
  EXPECT_NE(message.find("s.h5: utterance b\\nc has label id 1 but the manifest names 1 labels"), std::string::npos)
      << message;
}

// A header may claim any extent; the reader refuses to allocate more than the file could hold.
TEST(Shards, ClaimedSizesBeyondTheFileAreRefused) {
  test::TempDir dir;
  std::mt19937 rng(5);
  write_shard(dir / "s.h5", ShardAttributes{8000, 4, 3}, {random_utterance("a", 0, 2, 4, 3, rng)});
  {
    silence_hdf5_errors();
    H5Handle file(H5Fopen((dir / "s.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    H5Handle audio(H5Dopen2(file.get(), "audio", H5P_DEFAULT), H5Dclose);
    const hsize_t huge = hsize_t{1} << 40;  // extended, never written: nothing stored
    ASSERT_GE(H5Dset_extent(audio.get(), &huge), 0);
  }
  EXPECT_NE(shard_error([&] { ShardReader r(dir / "s.h5"); }).find("s.h5: dataset audio claims 1099511627776 values"),
            std::string::npos)
      << shard_error([&] { ShardReader r(dir / "s.h5"); });
}

TEST(Shards, ChunkCoversCrops) {
  EXPECT_EQ(chunking_for_crops(8192).audio_chunk, 65536);
  EXPECT_EQ(chunking_for_crops(65536).audio_chunk, 65536);
  EXPECT_EQ(chunking_for_crops(100000).audio_chunk, 131072);
}

}  // namespace
}  // namespace wn
