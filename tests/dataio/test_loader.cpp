#include "dataio/loader.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/mel.h"
#include "dataio/mulaw.h"
#include "dataio/pitch.h"
#include "dataio/shard_writer.h"
#include "tests/test_support.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

constexpr int kHop = 64;
constexpr int kMels = 8;

// A corpus of `count` utterances of various lengths (some shorter than a crop) in two train
// shards and one valid shard, with a manifest, written directly.
struct LoaderCorpus {
  test::TempDir dir;
  Manifest manifest;
  std::map<std::string, ShardUtterance> by_name;

  // tones: each utterance a sine (100 + 20 i Hz) instead of noise. targets: utterance i has
  // target 1.5 i, and the manifest says mean 3, deviation 2.
  explicit LoaderCorpus(int count = 9, bool tones = false, bool targets = false) {
    manifest.config = resolve_config(std::nullopt, {"audio.hop_length=64", "audio.n_mels=8",
                                                    "model.upsample_scales=4,16", "train.max_time_steps=512"});
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> uniform(-0.9f, 0.9f);
    std::vector<ShardUtterance> shards[3];
    for (int i = 0; i < count; ++i) {
      ShardUtterance u;
      u.name = "utt" + std::to_string(i);
      u.label = i % 3;
      u.target = 1.5f * static_cast<float>(i);
      const int frames = 3 + 5 * i;  // 3..43 frames; a 512-sample crop is 8 frames
      u.audio.resize(frames * kHop);
      u.mel.resize(frames * kMels);
      for (float& v : u.audio) v = uniform(rng);
      if (tones) {
        for (std::size_t t = 0; t < u.audio.size(); ++t) u.audio[t] = 0.5f * std::sin(2 * M_PI * (100 + 20 * i) * t / 22050.0);
      }
      for (float& v : u.mel) v = uniform(rng) - 2.0f;
      by_name[u.name] = u;
      shards[i == count - 1 ? 2 : i % 2].push_back(u);
    }
    const ShardAttributes attributes{22050, kHop, kMels, targets};
    const char* files[] = {"train-00000.h5", "train-00001.h5", "valid-00000.h5"};
    for (int s = 0; s < 3; ++s) {
      write_shard(dir / files[s], attributes, shards[s]);
      (s < 2 ? manifest.train_shards : manifest.valid_shards)
          .push_back({files[s], static_cast<int64_t>(shards[s].size()), 1.0});
    }
    manifest.labels = {"speaker0", "speaker1", "speaker2"};  // label ids i % 3
    manifest.mel_mean.assign(kMels, -2.0);
    manifest.mel_std.assign(kMels, 0.5);
    if (targets) manifest.target = {"column", count - 1, 3.0, 2.0};
    write_manifest(dir.path(), manifest, "test");
  }

  LoaderOptions options(int batch = 3, int context = 2) const {
    LoaderOptions o;
    o.batch_size = batch;
    o.crop_samples = 512;
    o.context_frames = context;
    o.seed = 5;
    o.prefetch_batches = 2;
    return o;
  }
};

UtteranceTable table_of(const LoaderCorpus& c) { return UtteranceTable(c.dir.path(), c.manifest.train_shards, c.manifest); }

// A shard must agree with the manifest that lists it; a manifest's statistics with its config.
TEST(Loader, ShardsAndManifestThatDisagreeAreNamed) {
  LoaderCorpus c;
  const auto error_of = [&](const Manifest& m) {
    return test::error_message<IoError>([&] { UtteranceTable(c.dir.path(), m.train_shards, m); });
  };
  EXPECT_EQ(error_of(c.manifest), "(no error)");
  Manifest other_rate = c.manifest;
  other_rate.config.audio.sample_rate = 16000;
  EXPECT_NE(error_of(other_rate).find("train-00000.h5: made with sample_rate/hop_length/n_mels 22050/64/8"),
            std::string::npos) << error_of(other_rate);
  Manifest fewer = c.manifest;
  fewer.train_shards[1].utterances -= 1;
  EXPECT_NE(error_of(fewer).find("train-00001.h5: holds"), std::string::npos) << error_of(fewer);
  Manifest no_labels = c.manifest;
  no_labels.labels.clear();
  EXPECT_NE(error_of(no_labels).find("train-00000.h5: utterance utt0 has label id 0 but the manifest names 0 labels"), std::string::npos)
      << error_of(no_labels);

  Manifest short_stats = c.manifest;
  short_stats.mel_std.pop_back();
  write_manifest(c.dir.path(), short_stats, "test");
  const std::string message = test::error_message<UserError>([&] { read_manifest(c.dir.path()); });
  EXPECT_NE(message.find("mel_stats has 8 means and 7 deviations for n_mels 8"), std::string::npos) << message;
}

TEST(Loader, CropsAreAlignedWithTheirSource) {
  LoaderCorpus corpus;
  const LoaderOptions o = corpus.options();
  TrainLoader loader(corpus.dir.path(), read_manifest(corpus.dir.path()), o);
  const UtteranceTable table = table_of(corpus);
  const float silence = MelSpectrogram(corpus.manifest.config.audio).silence_value();
  for (int k = 0; k < 6; ++k) {
    const Batch batch = loader.next();
    ASSERT_EQ(batch.index, k);
    ASSERT_EQ(batch.audio.sizes(), (at::IntArrayRef{3, 512}));
    ASSERT_EQ(batch.mel.sizes(), (at::IntArrayRef{3, 8 + 4, kMels}));
    for (int j = 0; j < 3; ++j) {
      const CropChoice c = loader.choose(k * 3 + j);
      const ShardUtterance& u = corpus.by_name.at(table.shard_of(c.utterance).name(table.local_index(c.utterance)));
      const int64_t frames = static_cast<int64_t>(u.mel.size()) / kMels;
      EXPECT_EQ(batch.label[j].item<int64_t>(), u.label);
      for (int64_t t = 0; t < 512; ++t) {
        const int64_t src = c.start_frame * kHop + t;
        const float expected = src < static_cast<int64_t>(u.audio.size()) ? u.audio[src] : 0.0f;
        ASSERT_EQ(batch.audio[j][t].item<float>(), expected) << "batch " << k << " item " << j << " t " << t;
      }
      for (int64_t r = 0; r < 12; ++r) {
        const int64_t f = c.start_frame - 2 + r;
        for (int m = 0; m < kMels; ++m) {
          const float expected = f >= 0 && f < frames ? u.mel[f * kMels + m] : silence;
          ASSERT_EQ(batch.mel[j][r][m].item<float>(), expected) << "row " << r << " bin " << m;
        }
      }
    }
  }
}

// A crop's F0 rows are the whole utterance's pitch track at the same rows (frames centred on
// multiples of the hop, silence around the utterance), and find each utterance's tone and the
// tone's phase at each row's centre.
TEST(Loader, F0RowsAreTheWholeUtterancesTrack) {
  LoaderCorpus corpus(9, /*tones=*/true);
  LoaderOptions o = corpus.options();
  o.f0 = true;
  TrainLoader loader(corpus.dir.path(), read_manifest(corpus.dir.path()), o);
  const UtteranceTable table = table_of(corpus);
  PitchSettings settings;
  settings.frame_period = kHop;
  const int pad = 64;  // frames of silence around the utterance, more than YIN reads
  int voiced = 0;
  for (int k = 0; k < 4; ++k) {
    const Batch batch = loader.next();
    ASSERT_EQ(batch.f0.sizes(), (at::IntArrayRef{3, 8 + 4}));
    for (int j = 0; j < 3; ++j) {
      const CropChoice c = loader.choose(k * 3 + j);
      const std::string name = table.shard_of(c.utterance).name(table.local_index(c.utterance));
      const ShardUtterance& u = corpus.by_name.at(name);
      std::vector<float> padded(static_cast<std::size_t>(pad * kHop), 0.0f);
      padded.insert(padded.end(), u.audio.begin(), u.audio.end());
      padded.resize(padded.size() + pad * kHop, 0.0f);
      const std::vector<double> track = track_f0(padded, 22050, settings);
      const double tone = 100 + 20 * std::stoi(name.substr(3));
      const int64_t frames = static_cast<int64_t>(u.audio.size()) / kHop;
      for (int64_t r = 0; r < 12; ++r) {
        const int64_t f = c.start_frame - 2 + r;
        ASSERT_EQ(batch.f0[j][r].item<float>(), static_cast<float>(track[pad + f])) << name << " row " << r;
        if (f >= 8 && f + 8 < frames) {  // well inside the tone
          EXPECT_NEAR(batch.f0[j][r].item<float>(), tone, tone * 0.01) << name << " row " << r;
          // 0.5 sin(2 pi tone t / rate) is a cosine a quarter cycle late.
          const double expected = tone * static_cast<double>(f * kHop) / 22050 - 0.25;
          double error = batch.f0_phase[j][r].item<float>() - (expected - std::floor(expected));
          EXPECT_LT(std::fabs(error - std::round(error)), 0.02) << name << " row " << r;
          ++voiced;
        }
        if (batch.f0[j][r].item<float>() == 0.0f) {
          EXPECT_EQ(batch.f0_phase[j][r].item<float>(), 0.0f);
        }
      }
    }
  }
  EXPECT_GT(voiced, 20);
  EXPECT_FALSE(TrainLoader(corpus.dir.path(), read_manifest(corpus.dir.path()), corpus.options()).next().f0.defined());
}

TEST(Loader, SameSeedSameStreamAndResumeMidway) {
  LoaderCorpus corpus;
  const Manifest m = read_manifest(corpus.dir.path());
  TrainLoader a(corpus.dir.path(), m, corpus.options());
  std::vector<Batch> first;
  for (int k = 0; k < 5; ++k) first.push_back(a.next());
  TrainLoader resumed(corpus.dir.path(), m, corpus.options(), /*start_batch=*/3);
  const Batch b3 = resumed.next();
  EXPECT_EQ(b3.index, 3);
  EXPECT_TRUE(at::equal(b3.audio, first[3].audio));
  EXPECT_TRUE(at::equal(b3.mel, first[3].mel));
  LoaderOptions other = corpus.options();
  other.seed = 6;
  TrainLoader c(corpus.dir.path(), m, other);
  EXPECT_FALSE(at::equal(c.next().audio, first[0].audio));
}

TEST(Loader, RanksAreDisjointAndTogetherEqualOneBigBatch) {
  LoaderCorpus corpus;
  const Manifest m = read_manifest(corpus.dir.path());
  LoaderOptions big = corpus.options(/*batch=*/4);
  LoaderOptions r0 = corpus.options(2), r1 = corpus.options(2);
  r0.world_size = r1.world_size = 2;
  r1.rank = 1;
  TrainLoader whole(corpus.dir.path(), m, big), rank0(corpus.dir.path(), m, r0), rank1(corpus.dir.path(), m, r1);
  for (int k = 0; k < 4; ++k) {
    const Batch w = whole.next(), a = rank0.next(), b = rank1.next();
    EXPECT_TRUE(at::equal(at::cat({a.audio, b.audio}), w.audio)) << "batch " << k;
    EXPECT_TRUE(at::equal(at::cat({a.mel, b.mel}), w.mel));
    // The two ranks never produce the same crop.
    EXPECT_FALSE(at::equal(a.audio, b.audio));
  }
}

TEST(Loader, EveryUtteranceOncePerEpoch) {
  LoaderCorpus corpus;
  TrainLoader loader(corpus.dir.path(), read_manifest(corpus.dir.path()), corpus.options());
  const std::size_t n = corpus.manifest.utterances(false);
  std::set<std::size_t> epoch0, epoch1;
  for (std::size_t g = 0; g < n; ++g) epoch0.insert(loader.choose(static_cast<int64_t>(g)).utterance);
  for (std::size_t g = n; g < 2 * n; ++g) epoch1.insert(loader.choose(static_cast<int64_t>(g)).utterance);
  EXPECT_EQ(epoch0.size(), n);
  EXPECT_EQ(epoch1.size(), n);
}

TEST(Loader, MulawTargetsAndNormalisedMel) {
  LoaderCorpus corpus;
  LoaderOptions o = corpus.options(2, 0);
  o.quantized_targets = true;
  o.normalize_mel = true;
  const Manifest m = read_manifest(corpus.dir.path());
  TrainLoader loader(corpus.dir.path(), m, o);
  LoaderOptions raw_options = corpus.options(2, 0);
  TrainLoader raw(corpus.dir.path(), m, raw_options);
  const Batch b = loader.next(), r = raw.next();
  ASSERT_EQ(b.target.scalar_type(), at::kLong);
  for (int t = 0; t < 512; t += 37) {
    EXPECT_EQ(b.target[1][t].item<int64_t>(), mulaw_encode(b.audio[1][t].item<float>(), 255));
  }
  EXPECT_TRUE(at::allclose(b.mel, (r.mel + 2.0) / 0.5, 1e-5, 1e-5));
  EXPECT_EQ(r.target.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(r.target, r.audio));
}

TEST(Loader, ValidationCropsAreDeterministic) {
  LoaderCorpus corpus;
  const Manifest m = read_manifest(corpus.dir.path());
  const ValidationSet valid(corpus.dir.path(), m);
  ASSERT_EQ(valid.size(), 1u);
  const auto batches = valid.crop_batches(corpus.options(4, 1), 10);
  ASSERT_EQ(batches.size(), 1u);
  const ShardUtterance& u = corpus.by_name.at("utt8");
  EXPECT_EQ(valid.utterance(0).audio, u.audio);
  EXPECT_EQ(batches[0].audio[0][100].item<float>(), u.audio[100]);
  EXPECT_EQ(batches[0].mel[0][1][3].item<float>(), u.mel[3]);  // row 1 = frame 0 after 1 context
  EXPECT_TRUE(at::equal(batches[0].audio, valid.crop_batches(corpus.options(4, 1), 10)[0].audio));
}

// Truncated backpropagation through time: each row reads its utterances crop after crop, with
// the samples before each crop as history and a reset flag where an utterance starts.
TEST(Loader, SequentialRowsReadConsecutiveCropsWithHistory) {
  LoaderCorpus corpus;
  const Manifest m = read_manifest(corpus.dir.path());
  LoaderOptions o = corpus.options(2, 0);
  o.sequential = true;
  o.history_samples = 16;
  TrainLoader loader(corpus.dir.path(), m, o);
  const UtteranceTable table = table_of(corpus);
  std::vector<Batch> batches;
  for (int k = 0; k < 12; ++k) batches.push_back(loader.next());
  std::set<std::size_t> seen;
  for (int j = 0; j < 2; ++j) {
    int64_t expected_start = 0;
    std::size_t utterance = loader.choose_sequential(j, 0).utterance;
    for (int k = 0; k < 12; ++k) {
      const CropChoice c = loader.choose_sequential(j, k);
      if (c.utterance != utterance || c.start_frame == 0) {
        EXPECT_EQ(c.start_frame, 0) << "a new utterance starts at its beginning";
        expected_start = 0;
        utterance = c.utterance;
      }
      EXPECT_EQ(c.start_frame, expected_start) << "row " << j << " batch " << k;
      EXPECT_EQ(batches[k].reset[j].item<bool>(), c.start_frame == 0);
      const ShardUtterance& u = corpus.by_name.at(table.shard_of(c.utterance).name(table.local_index(c.utterance)));
      ASSERT_EQ(batches[k].audio.size(1), 16 + 512);
      for (int64_t t = 0; t < 16 + 512; ++t) {
        const int64_t src = c.start_frame * kHop - 16 + t;
        const float expected = src >= 0 && src < static_cast<int64_t>(u.audio.size()) ? u.audio[src] : 0.0f;
        ASSERT_EQ(batches[k].audio[j][t].item<float>(), expected) << "batch " << k << " row " << j << " t " << t;
      }
      seen.insert(c.utterance);
      expected_start += 8;  // a crop is 8 frames
    }
  }
  EXPECT_GE(seen.size(), 4u) << "rows read different utterances";
  // Resuming at batch 7 continues every row's walk exactly.
  TrainLoader resumed(corpus.dir.path(), m, o, 7);
  EXPECT_TRUE(at::equal(resumed.next().audio, batches[7].audio));
}

TEST(Loader, SequentialStreamsOfRanksAreDisjoint) {
  LoaderCorpus corpus;
  const Manifest m = read_manifest(corpus.dir.path());
  LoaderOptions o = corpus.options(1, 0);
  o.sequential = true;
  o.world_size = 2;
  std::set<std::size_t> first_utterances[2];
  for (int rank = 0; rank < 2; ++rank) {
    o.rank = rank;
    TrainLoader loader(corpus.dir.path(), m, o);
    first_utterances[rank].insert(loader.choose_sequential(rank, 0).utterance);
  }
  EXPECT_NE(*first_utterances[0].begin(), *first_utterances[1].begin());
}

TEST(Loader, BadOptionsAreUserErrors) {
  LoaderCorpus corpus;
  const Manifest m = read_manifest(corpus.dir.path());
  LoaderOptions o = corpus.options();
  o.crop_samples = 500;
  EXPECT_THROW(TrainLoader(corpus.dir.path(), m, o), UserError);
  o = corpus.options();
  o.rank = 2;
  o.world_size = 2;
  EXPECT_THROW(TrainLoader(corpus.dir.path(), m, o), UserError);
  EXPECT_THROW(read_manifest(corpus.dir / "nowhere"), UserError);
}

TEST(LoaderTargets, EachRowCarriesItsUtterancesStandardisedTarget) {
  LoaderCorpus corpus(9, false, /*targets=*/true);
  const Manifest m = read_manifest(corpus.dir.path());
  ASSERT_EQ(m.target.kind, "column");
  LoaderOptions o = corpus.options();
  o.targets = true;
  TrainLoader loader(corpus.dir.path(), m, o);
  const UtteranceTable table = table_of(corpus);
  for (int k = 0; k < 4; ++k) {
    const Batch batch = loader.next();
    ASSERT_EQ(batch.utterance_target.sizes(), (std::vector<int64_t>{3}));
    for (int j = 0; j < 3; ++j) {
      const std::string name = table.read(loader.choose(batch.index * 3 + j).utterance).name;
      const double target = 1.5 * std::stoi(name.substr(3));
      EXPECT_FLOAT_EQ(batch.utterance_target[j].item<float>(), static_cast<float>((target - 3.0) / 2.0)) << name;
    }
  }
  ValidationSet valid(corpus.dir.path(), m);
  const Batch v = valid.crop_batches(o, 8).front();
  EXPECT_FLOAT_EQ(v.utterance_target[0].item<float>(), static_cast<float>((1.5 * 8 - 3.0) / 2.0));
}

TEST(LoaderTargets, ShardsWithoutTargetsStillLoadAndAskingForTargetsIsAClearError) {
  LoaderCorpus corpus;  // format 1 shards, no targets in the manifest
  const Manifest m = read_manifest(corpus.dir.path());
  LoaderOptions o = corpus.options();
  EXPECT_FALSE(TrainLoader(corpus.dir.path(), m, o).next().utterance_target.defined());
  EXPECT_FALSE(ShardReader(corpus.dir / "train-00000.h5").attributes().has_targets);
  o.targets = true;
  EXPECT_NE(test::error_message<UserError>([&] { TrainLoader(corpus.dir.path(), m, o); }).find("data.target=popularity"),
            std::string::npos);
  Manifest claims = m;
  claims.target = {"popularity", 8, 0.0, 1.0};
  EXPECT_NE(test::error_message<IoError>([&] { TrainLoader(corpus.dir.path(), claims, o); }).find("has no targets"),
            std::string::npos)
      << "a manifest with targets over shards without them";
}

}  // namespace
}  // namespace wn
