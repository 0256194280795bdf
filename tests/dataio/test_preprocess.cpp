// The preprocess pipeline end to end on corpora made at test time: good and broken files,
// resume after a crash, --force, manifest and statistics.

#include "dataio/preprocess.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <set>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/manifest.h"
#include "dataio/npy.h"
#include "dataio/shard_reader.h"
#include "tests/dataio/audio_fixtures.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

Config test_config(std::vector<std::string> overrides = {}) {
  overrides.insert(overrides.begin(), {"data.threads=2", "data.valid_fraction=0.2"});
  return resolve_config(std::nullopt, overrides);
}

PreprocessOptions quiet() {
  PreprocessOptions o;
  o.show_progress = false;
  return o;
}

// `count` clean tones of different pitch and length in two speaker folders.
void make_good_corpus(const fs::path& dir, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string speaker = i % 2 ? "bob" : "alice";
    test::write_wav16(dir / speaker / ("utt" + std::to_string(i) + ".wav"),
                      test::sine(200 + 40 * i, 22050, 0.3 + 0.05 * i), 22050);
  }
}

std::vector<std::string> all_names(const fs::path& out, const Manifest& m) {
  std::vector<std::string> names;
  for (const auto* list : {&m.train_shards, &m.valid_shards}) {
    for (const auto& s : *list) {
      const ShardReader r(out / s.file);
      for (std::size_t i = 0; i < r.size(); ++i) names.push_back(r.name(i));
    }
  }
  return names;
}

TEST(Preprocess, BrokenFilesAreReportedAndGoodOnesLand) {
  test::TempDir dir;
  const fs::path in = dir / "in", out = dir / "out";
  test::write_wav16(in / "good16.wav", test::sine(300, 22050, 0.5), 22050);
  test::write_audio(in / "good8bit.wav", test::sine(300, 16000, 0.5), 1, 16000,
                    SF_FORMAT_WAV | SF_FORMAT_PCM_U8);
  test::write_audio(in / "good24bit.wav", test::sine(300, 22050, 0.5), 1, 22050,
                    SF_FORMAT_WAV | SF_FORMAT_PCM_24);
  std::vector<float> stereo;
  for (float v : test::sine(300, 44100, 0.5)) stereo.insert(stereo.end(), {v, -v * 0.5f});
  test::write_audio(in / "stereo44k.flac", stereo, 2, 44100, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  test::write_audio(in / "float.wav", test::sine(300, 22050, 0.5), 1, 22050, SF_FORMAT_WAV | SF_FORMAT_FLOAT);

  test::write_truncated_wav(in / "bad_truncated.wav", 22050);
  test::write_text(in / "bad_zero.wav", "");
  test::write_nan_wav(in / "bad_nan.wav", 22050);
  test::write_text(in / "bad_text.wav", "I am a text file\n");
  test::write_wav16(in / "bad_short.wav", test::sine(300, 22050, 0.01), 22050);
  test::write_text(in / "notes.txt", "ignored");

  const PreprocessResult r = preprocess_corpus(in, out, test_config(), quiet());
  EXPECT_EQ(r.utterances, 5);
  EXPECT_EQ(r.failures, 5);
  EXPECT_EQ(r.ignored_files, 1);

  const std::string report = test::read_text(out / "report.yaml");
  for (const char* bad : {"bad_truncated.wav", "bad_zero.wav", "bad_nan.wav", "bad_text.wav", "bad_short.wav"}) {
    EXPECT_NE(report.find((in / bad).string()), std::string::npos) << bad << "\n" << report;
  }
  EXPECT_NE(report.find("non-finite sample"), std::string::npos) << report;
  EXPECT_NE(report.find("shorter than one frame"), std::string::npos) << report;

  const Manifest m = read_manifest(out);
  EXPECT_EQ(m.utterances(false) + m.utterances(true), 5);
  EXPECT_EQ(m.failures, 5);
  const auto names = all_names(out, m);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()),
            (std::set<std::string>{"good16", "good8bit", "good24bit", "stereo44k", "float"}));
}

TEST(Preprocess, ShardsHoldAlignedResampledFeatures) {
  test::TempDir dir;
  test::write_audio(dir / "in/a.wav", test::sine(500, 44100, 1.0), 1, 44100, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  test::write_wav16(dir / "in/b.wav", test::sine(700, 22050, 0.7), 22050);
  preprocess_corpus(dir / "in", dir / "out", test_config({"data.valid_fraction=0", "audio.trim_top_db=0"}), quiet());
  const Manifest m = read_manifest(dir / "out");
  ASSERT_EQ(m.train_shards.size(), 1u);
  const ShardReader r(dir / "out" / m.train_shards[0].file);
  EXPECT_EQ(r.attributes().sample_rate, 22050);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.name(0), "a");
  // 1 s at 44.1 kHz -> 22050 samples -> 1 + 22050/256 = 87 frames -> 87 * 256 samples.
  EXPECT_EQ(r.frames(0), 87);
  EXPECT_EQ(r.samples(0), 87 * 256);
  // 0.7 s at 22.05 kHz = 15435 samples -> 1 + 15435/256 = 61 frames.
  EXPECT_EQ(r.frames(1), 61);
  EXPECT_NEAR(m.train_shards[0].seconds, (87 + 61) * 256 / 22050.0, 1e-7);
}

// Ground-truth-aligned fine-tuning: mels from a front end (`--mels-from`), one per utterance id,
// stored as given (bins-first arrays transposed); trimming is off so they stay aligned; a mel
// whose frames do not fit its audio, a missing one and a non-finite one are reported, the rest
// lands.
TEST(Preprocess, MelsFromAFrontEndLandAsGiven) {
  test::TempDir dir;
  std::vector<float> quiet_start(22050 / 4, 0.0f);  // trimming would cut this
  const std::vector<float> tone = test::sine(300, 22050, 0.5);
  quiet_start.insert(quiet_start.end(), tone.begin(), tone.end());
  const int64_t frames = 1 + static_cast<int64_t>(quiet_start.size()) / 256;
  auto mel_of = [](int64_t rows, float offset) {
    std::vector<float> m(static_cast<std::size_t>(rows * 80));
    for (std::size_t k = 0; k < m.size(); ++k) m[k] = offset + 0.001f * static_cast<float>(k % 997);
    return m;
  };
  for (const char* id : {"a", "b", "short", "nan", "missing"}) test::write_wav16(dir / "in" / (std::string(id) + ".wav"), quiet_start, 22050);
  fs::create_directories(dir / "mels");
  fs::create_directories(dir / "mels2");
  write_npy(dir / "mels/a.npy", mel_of(frames, -4.0f), {frames, 80});
  write_npy(dir / "mels/b.npy", mel_of(frames - 1, -3.0f), {frames - 1, 80});  // one frame fewer still fits
  write_npy(dir / "mels/short.npy", mel_of(frames - 5, -3.0f), {frames - 5, 80});
  std::vector<float> broken = mel_of(frames, -3.0f);
  broken[7] = NAN;
  write_npy(dir / "mels/nan.npy", broken, {frames, 80});

  PreprocessOptions options = quiet();
  options.mels_from = dir / "mels";
  const PreprocessResult r = preprocess_corpus(dir / "in", dir / "out", test_config({"data.valid_fraction=0"}), options);
  EXPECT_EQ(r.utterances, 2);
  EXPECT_EQ(r.failures, 3);
  const std::string report = test::read_text(dir / "out/report.yaml");
  EXPECT_NE(report.find((dir / "mels/short.npy").string() + ": " + std::to_string(frames - 5) + " frames"), std::string::npos) << report;
  EXPECT_NE(report.find((dir / "mels/nan.npy").string() + ": value 7 is not a finite number"), std::string::npos) << report;
  EXPECT_NE(report.find("no mel " + (dir / "mels/missing.npy").string()), std::string::npos) << report;

  const Manifest m = read_manifest(dir / "out");
  EXPECT_EQ(m.config.audio.trim_top_db, 0.0) << "the manifest records the recipe the shards hold";
  const ShardReader shard(dir / "out" / m.train_shards[0].file);
  ASSERT_EQ(shard.size(), 2u);
  EXPECT_EQ(shard.name(0), "a");
  EXPECT_EQ(shard.frames(0), frames);
  EXPECT_EQ(shard.samples(0), frames * 256) << "untrimmed, cut or padded to the mel's frames";
  EXPECT_EQ(shard.read_mel(0, 0, frames), mel_of(frames, -4.0f));
  EXPECT_EQ(shard.frames(1), frames - 1);

  // Bins first: the same mel transposed lands the same.
  std::vector<float> transposed(static_cast<std::size_t>(frames * 80));
  const std::vector<float> a = mel_of(frames, -4.0f);
  for (int64_t f = 0; f < frames; ++f) {
    for (int64_t b = 0; b < 80; ++b) transposed[static_cast<std::size_t>(b * frames + f)] = a[static_cast<std::size_t>(f * 80 + b)];
  }
  fs::create_directories(dir / "in2");
  fs::copy_file(dir / "in/a.wav", dir / "in2/a.wav");
  write_npy(dir / "mels2/a.npy", transposed, {80, frames});
  options.mels_from = dir / "mels2";
  options.mel_bins_first = true;
  preprocess_corpus(dir / "in2", dir / "out2", test_config({"data.valid_fraction=0"}), options);
  const Manifest m2 = read_manifest(dir / "out2");
  EXPECT_EQ(ShardReader(dir / "out2" / m2.train_shards[0].file).read_mel(0, 0, frames), a);
}

TEST(Preprocess, LabelsAndSplitAndStatistics) {
  test::TempDir dir;
  make_good_corpus(dir / "in", 10);
  const Config config = test_config({"data.label_source=folder"});
  preprocess_corpus(dir / "in", dir / "out", config, quiet());
  const Manifest m = read_manifest(dir / "out");
  EXPECT_EQ(m.labels, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(m.utterances(true), 2);  // 20% of 10
  EXPECT_EQ(m.utterances(false), 8);
  EXPECT_EQ(config_to_yaml(m.config), config_to_yaml(config));

  // Statistics equal a direct computation over the training shards.
  std::vector<double> sum(80, 0), sq(80, 0);
  int64_t frames = 0;
  for (const auto& s : m.train_shards) {
    const ShardReader r(dir / "out" / s.file);
    for (std::size_t i = 0; i < r.size(); ++i) {
      const std::string speaker = r.name(i).substr(0, r.name(i).find('/'));
      EXPECT_EQ(m.labels[static_cast<std::size_t>(r.label(i))], speaker);
      const auto mel = r.read_mel(i, 0, r.frames(i));
      for (std::size_t k = 0; k < mel.size(); ++k) {
        sum[k % 80] += mel[k];
        sq[k % 80] += double(mel[k]) * mel[k];
      }
      frames += r.frames(i);
    }
  }
  ASSERT_EQ(m.stats_frames, frames);
  for (int b = 0; b < 80; b += 9) {
    const double mean = sum[b] / frames;
    EXPECT_NEAR(m.mel_mean[b], mean, 1e-6);
    EXPECT_NEAR(m.mel_std[b], std::sqrt(sq[b] / frames - mean * mean), 1e-5);
  }
}

// An LJSpeech-style corpus with play/like columns: row 3 has no likes.
void make_rated_corpus(const fs::path& dir, int count) {
  std::string metadata;
  for (int i = 0; i < count; ++i) {
    const std::string id = "clip" + std::to_string(i);
    test::write_wav16(dir / "wavs" / (id + ".wav"), test::sine(200 + 40 * i, 22050, 0.3), 22050);
    metadata += id + "|" + std::to_string(100 + 10 * i) + "|" + (i == 3 ? "0" : std::to_string(2 + i)) + "\n";
  }
  test::write_text(dir / "metadata.csv", metadata);
}

TEST(PreprocessTargets, PopularityLandsInShardsAndManifestAndBadRowsInTheReport) {
  test::TempDir dir;
  make_rated_corpus(dir / "in", 10);
  const Config config = test_config({"data.target=popularity", "data.played_column=1", "data.liked_column=2"});
  const PreprocessResult result = preprocess_corpus(dir / "in", dir / "out", config, quiet());
  EXPECT_EQ(result.utterances, 9);
  EXPECT_EQ(result.failures, 1);
  const std::string report = test::read_text(dir / "out/report.yaml");
  EXPECT_NE(report.find("clip3.wav"), std::string::npos) << report;
  EXPECT_NE(report.find("metadata.csv:4"), std::string::npos) << report;

  const Manifest m = read_manifest(dir / "out");
  EXPECT_EQ(m.target.kind, "popularity");
  double sum = 0, sq = 0;
  int64_t n = 0;
  for (const auto* list : {&m.train_shards, &m.valid_shards}) {
    for (const auto& s : *list) {
      const ShardReader r(dir / "out" / s.file);
      ASSERT_TRUE(r.attributes().has_targets);
      for (std::size_t i = 0; i < r.size(); ++i) {
        const int k = std::stoi(r.name(i).substr(4));
        const double liked = 2 + k, played = 100 + 10 * k;
        EXPECT_NEAR(r.target(i), liked / played * std::log(liked), 1e-6) << r.name(i);
        EXPECT_EQ(r.read_utterance(i).target, r.target(i));
        if (list == &m.train_shards) {
          sum += r.target(i);
          sq += double(r.target(i)) * r.target(i);
          ++n;
        }
      }
    }
  }
  ASSERT_EQ(m.target.utterances, n);
  EXPECT_NEAR(m.target.mean, sum / n, 1e-6);
  EXPECT_NEAR(m.target.std, std::sqrt(sq / n - (sum / n) * (sum / n)), 1e-6);
}

TEST(PreprocessTargets, CorpusWithoutTargetsWritesTheOlderFormat) {
  test::TempDir dir;
  make_rated_corpus(dir / "in", 4);
  preprocess_corpus(dir / "in", dir / "out", test_config(), quiet());
  const Manifest m = read_manifest(dir / "out");
  EXPECT_FALSE(m.target.present());
  EXPECT_NE(test::read_text(dir / "out/manifest.yaml").find("format_version: 1"), std::string::npos);
  const ShardReader r(dir / "out" / m.train_shards.front().file);
  EXPECT_FALSE(r.attributes().has_targets);
  EXPECT_EQ(m.utterances(false) + m.utterances(true), 4) << "every row lands when no target is asked for, even the one without likes";
}

TEST(Preprocess, ValidListChoosesValidation) {
  test::TempDir dir;
  make_good_corpus(dir / "in", 4);
  test::write_text(dir / "valid.txt", "bob/utt1\n");
  preprocess_corpus(dir / "in", dir / "out", test_config({"data.valid_list=" + (dir / "valid.txt").string()}), quiet());
  const Manifest m = read_manifest(dir / "out");
  ASSERT_EQ(m.valid_shards.size(), 1u);
  const ShardReader r(dir / "out" / m.valid_shards[0].file);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.name(0), "bob/utt1");
}

TEST(Preprocess, ResumesAfterCrashWithoutDuplicates) {
  test::TempDir dir;
  make_good_corpus(dir / "in", 8);
  // Tiny shards: one utterance each, so the crash lands between shards and mid-stream.
  const Config config = test_config({"data.shard_size_mb=0.01"});

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    PreprocessOptions options = quiet();
    int done = 0;
    options.on_shard_done = [&](const std::string&) {
      if (++done == 3) _exit(7);  // like kill -9: no destructors, no cleanup
    };
    try {
      preprocess_corpus(dir / "in", dir / "out", config, options);
    } catch (...) {
    }
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 7) << "the child should have crashed after three shards";
  EXPECT_FALSE(fs::exists(dir / "out/manifest.yaml"));
  // A half-written shard as a crash mid-write would leave it.
  test::write_text(dir / "out/train-00004.h5.tmp.12345.0", "partial");

  const PreprocessResult r = preprocess_corpus(dir / "in", dir / "out", config, quiet());
  EXPECT_EQ(r.shards_resumed, 3);
  EXPECT_EQ(r.shards_written, 5);
  EXPECT_EQ(r.utterances, 8);
  const Manifest m = read_manifest(dir / "out");
  const auto names = all_names(dir / "out", m);
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 8u) << "duplicates";
  for (const auto& entry : fs::directory_iterator(dir / "out")) {
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "leftover " << entry.path();
  }

  // A third run has nothing left to do.
  const PreprocessResult again = preprocess_corpus(dir / "in", dir / "out", config, quiet());
  EXPECT_EQ(again.shards_written, 0);
  EXPECT_EQ(again.utterances, 8);

  // A damaged progress record costs only its shard, made again.
  test::write_text(dir / "out/.preprocess/train-00001.h5.yaml", "utterances: [unclosed\n");
  const PreprocessResult repaired = preprocess_corpus(dir / "in", dir / "out", config, quiet());
  EXPECT_EQ(repaired.shards_written, 1);
  EXPECT_EQ(repaired.utterances, 8);
}

TEST(Preprocess, DifferentRecipeNeedsForce) {
  test::TempDir dir;
  make_good_corpus(dir / "in", 3);
  preprocess_corpus(dir / "in", dir / "out", test_config(), quiet());
  EXPECT_THROW(preprocess_corpus(dir / "in", dir / "out", test_config({"audio.n_mels=40"}), quiet()),
               UserError);
  PreprocessOptions force = quiet();
  force.force = true;
  const PreprocessResult r = preprocess_corpus(dir / "in", dir / "out", test_config({"audio.n_mels=40"}), force);
  EXPECT_EQ(r.shards_resumed, 0);
  EXPECT_EQ(read_manifest(dir / "out").config.audio.n_mels, 40);
}

TEST(Preprocess, NothingLandedIsAUserErrorWithReport) {
  test::TempDir dir;
  test::write_text(dir / "in/a.wav", "junk");
  test::write_text(dir / "in/b.wav", "");
  try {
    preprocess_corpus(dir / "in", dir / "out", test_config(), quiet());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("no utterance landed"), std::string::npos) << e.what();
  }
  EXPECT_NE(test::read_text(dir / "out/report.yaml").find("a.wav"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out/manifest.yaml"));
}

TEST(Preprocess, BenchmarkReportsPositiveSpeed) {
  test::TempDir dir;
  make_good_corpus(dir / "in", 4);
  EXPECT_GT(benchmark_feature_extraction(dir / "in", test_config(), 0, false), 1.0);
}

}  // namespace
}  // namespace wn
