// `wavenet bench` and `wavenet synth` as users run them.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <regex>

#include "dataio/audio_io.h"
#include "dataio/features.h"
#include "dataio/manifest.h"
#include "dataio/shard_writer.h"
#include "nets/model_loading.h"
#include "dataio/npy.h"
#include "tests/dataio/audio_fixtures.h"
#include "tests/nets/training_fixtures.h"
#include "tests/experiments/cli_fixtures.h"
#include "tests/test_support.h"

namespace wn {
namespace {

TEST(BenchCli, EngineAndBaselinesWithJson) {
  test::TempDir dir;
  const auto json = dir / "b.json";
  ASSERT_EQ(run("--log-level warn bench --preset tiny --batch 2 --threads 2 --seconds 0.05 --baseline-steps 16 --json " +
                    json.string() + " --plot " + (dir / "b.png").string(),
                dir / "log"),
            0)
      << test::read_text(dir / "log");
  EXPECT_EQ(test::png_size(test::read_text(dir / "b.png")), std::make_pair(900, 500));  // the speed chart
  const std::string out = test::read_text(dir / "log");
  for (const char* method : {"engine", "libtorch_incremental", "naive_recompute"}) {
    EXPECT_NE(out.find(method), std::string::npos) << out;
  }
  EXPECT_NE(out.find("GFLOP/s FMA peak"), std::string::npos);
  const std::string text = test::read_text(json);
  // One object per case with the contract's keys.
  EXPECT_EQ(std::count(text.begin(), text.end(), '{') - std::count(text.begin(), text.end(), '}'), 0);
  for (const char* key : {"\"preset\": \"tiny\"", "\"batch\": 2", "\"threads\": 2", "\"samples_per_second\": ",
                          "\"real_time_factor\": ", "\"gflops\": ", "\"peak_fraction\": "}) {
    EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
  }
  const std::regex engine_rate("\"method\": \"engine\".*\"samples_per_second\": ([0-9.e+]+)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, engine_rate)) << text;
  EXPECT_GT(std::stod(m[1].str()), 0.0);
}

// Trains a small config (WaveNet unless `make` says otherwise) for two steps into dir/run;
// returns the config.
TEST(SynthCli, MelToWavOfExactLength) {
  test::TempDir dir;
  const Config config = train_small_model(dir, {});
  const int frames = 7;
  std::vector<float> mel(static_cast<std::size_t>(frames * config.audio.n_mels), -2.0f);
  write_npy(dir / "mel.npy", mel, {frames, config.audio.n_mels});
  ASSERT_EQ(run("synth --checkpoint " + (dir / "run").string() + " --mel " + (dir / "mel.npy").string() + " --out " +
                    (dir / "out.wav").string() + " --threads 2 --plot",
                dir / "synth.log"),
            0)
      << test::read_text(dir / "synth.log");
  const MonoAudio audio = read_audio_mono(dir / "out.wav");
  EXPECT_EQ(audio.sample_rate, config.audio.sample_rate);
  EXPECT_EQ(audio.samples.size(), static_cast<std::size_t>(frames * config.audio.hop_length));
  EXPECT_NE(test::read_text(dir / "synth.log").find("real time"), std::string::npos);
  EXPECT_EQ(test::read_text(dir / "out.png").substr(1, 3), "PNG") << "--plot writes OUT.png";

  // The classical baseline from the same mel, with the recipe of the checkpoint.
  ASSERT_EQ(run("--log-level warn synth --vocoder griffin-lim --iterations 5 --checkpoint " + (dir / "run").string() +
                    " --mel " + (dir / "mel.npy").string() + " --out " + (dir / "gl.wav").string(),
                dir / "gl.log"),
            0)
      << test::read_text(dir / "gl.log");
  EXPECT_EQ(read_audio_mono(dir / "gl.wav").samples.size(), static_cast<std::size_t>(frames * config.audio.hop_length));
  EXPECT_EQ(run("synth --mel " + (dir / "mel.npy").string() + " --out " + (dir / "x.wav").string(), dir / "nockpt.log"), 2);

  // The wrong mel shape is a one-line user error naming the file.
  write_npy(dir / "bad.npy", std::vector<float>(5 * 3, 0.0f), {5, 3});
  EXPECT_EQ(run("synth --checkpoint " + (dir / "run").string() + " --mel " + (dir / "bad.npy").string() + " --out " +
                    (dir / "x.wav").string(),
                dir / "bad.log"),
            2);
  const std::string bad = test::read_text(dir / "bad.log");
  EXPECT_NE(bad.find("bad.npy: mel has 3 bins per frame, the model expects 8"), std::string::npos) << bad;

  // Copy-synthesis from audio files with the checkpoint's recipe; a broken input is reported and
  // skipped while the good one is still generated.
  std::vector<float> tone(static_cast<std::size_t>(config.audio.sample_rate / 4));
  for (std::size_t t = 0; t < tone.size(); ++t) tone[t] = 0.4f * std::sin(0.05f * t);
  test::write_wav16(dir / "in/speech.wav", tone, config.audio.sample_rate);
  test::write_text(dir / "in/broken.wav", "not audio");
  EXPECT_EQ(run("synth --checkpoint " + (dir / "run").string() + " --wav " + (dir / "in/speech.wav").string() + " --wav " +
                    (dir / "in/broken.wav").string() + " --out-dir " + (dir / "gen").string(),
                dir / "copy.log"),
            2);
  const std::string copy = test::read_text(dir / "copy.log");
  EXPECT_NE(copy.find("broken.wav: cannot read audio"), std::string::npos) << copy;
  EXPECT_NE(copy.find("1 of 2 inputs failed"), std::string::npos) << copy;
  // Mixed input kinds in one call; the model has no labels, so the shard's are not used.
  ASSERT_EQ(run("--log-level warn synth --checkpoint " + (dir / "run").string() + " --mel " + (dir / "mel.npy").string() +
                    " --shard " + (dir / "data/valid-00000.h5").string() + " --out-dir " + (dir / "mixed").string(),
                dir / "mixed.log"),
            0)
      << test::read_text(dir / "mixed.log");
  EXPECT_EQ(read_audio_mono(dir / "mixed/mel.wav").samples.size(), static_cast<std::size_t>(frames * config.audio.hop_length));
  EXPECT_EQ(read_audio_mono(dir / "mixed/utt5.wav").samples.size(), static_cast<std::size_t>(35 * config.audio.hop_length));
  const MonoAudio copied = read_audio_mono(dir / "gen/speech.wav");
  EXPECT_EQ(copied.samples.size() % static_cast<std::size_t>(config.audio.hop_length), 0u);
  EXPECT_GT(copied.samples.size(), 0u);
}

// Shard utterances of different lengths generated as one batch sound exactly as they do alone
// (same seed), keep their labels unless --label overrides, and bad names are one-line errors.
TEST(SynthCli, ShardUtterancesInOneBatchEqualEachAlone) {
  test::TempDir dir;
  const Config config = train_small_model(dir, {"model.global_conditioning=true"});
  const std::string synth = "--log-level warn synth --float --threads 2 --checkpoint " + (dir / "run").string() + " ";
  const std::string shard = (dir / "data/train-00000.h5").string();
  ASSERT_EQ(run(synth + "--shard " + shard + " --batch 3 --out-dir " + (dir / "all").string(), dir / "all.log"), 0)
      << test::read_text(dir / "all.log");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(wav_samples(dir / "all" / ("utt" + std::to_string(i) + ".wav")).size(),
              static_cast<std::size_t>((20 + 3 * i) * config.audio.hop_length));
  }
  for (const char* name : {"utt0", "utt3"}) {
    const auto alone = dir / (std::string(name) + ".wav");
    ASSERT_EQ(run(synth + "--shard " + shard + " --utterance " + name + " --out " + alone.string(), dir / "one.log"), 0)
        << test::read_text(dir / "one.log");
    EXPECT_EQ(wav_samples(alone), wav_samples(dir / "all" / (std::string(name) + ".wav"))) << name;
  }
  // utt0 is alice's; as bob it is another clip.
  ASSERT_EQ(run(synth + "--shard " + shard + " --utterance utt0 --label bob --out " + (dir / "bob.wav").string(), dir / "bob.log"), 0)
      << test::read_text(dir / "bob.log");
  EXPECT_NE(wav_samples(dir / "bob.wav"), wav_samples(dir / "utt0.wav"));
  EXPECT_EQ(run(synth + "--shard " + shard + " --label carol --out-dir " + (dir / "x").string(), dir / "carol.log"), 2);
  EXPECT_NE(test::read_text(dir / "carol.log").find("knows the labels alice, bob"), std::string::npos) << test::read_text(dir / "carol.log");
  EXPECT_EQ(run(synth + "--shard " + shard + " --utterance nope --utterance utt1 --out-dir " + (dir / "y").string(), dir / "nope.log"), 2);
  EXPECT_NE(test::read_text(dir / "nope.log").find("no utterance named 'nope'"), std::string::npos) << test::read_text(dir / "nope.log");
  EXPECT_EQ(wav_samples(dir / "y/utt1.wav").size(), static_cast<std::size_t>(23 * config.audio.hop_length)) << "the good name still ran";
}

// Unconditional models: clips from silence, and a clip that continues a primed recording.
// A tone written as dir/prime.wav and continued for 0.05 s by `synth` into dir/c.wav: the prime
// as training saw it, cut to whole frames (the recipe pads the last one with silence), and the
// clip. Empty when synth failed (the failure is recorded).
struct PrimedClip {
  std::vector<float> prime, continued;
};
PrimedClip continue_a_tone(const test::TempDir& dir, const Config& config, const std::string& synth) {
  std::vector<float> tone(320);
  for (std::size_t t = 0; t < tone.size(); ++t) tone[t] = 0.4f * std::sin(0.11f * t);
  test::write_wav16(dir / "prime.wav", tone, config.audio.sample_rate);
  const int status = run(synth + "--prime " + (dir / "prime.wav").string() + " --seconds 0.05 --out " + (dir / "c.wav").string(),
                         dir / "c.log");
  EXPECT_EQ(status, 0) << test::read_text(dir / "c.log");
  if (status != 0) return {};
  const UtteranceFeatures features = extract_features(dir / "prime.wav", config.audio, MelSpectrogram(config.audio));
  const auto primed = static_cast<std::ptrdiff_t>((features.frames - 1) * config.audio.hop_length);
  return {std::vector<float>(features.audio.begin(), features.audio.begin() + primed), wav_samples(dir / "c.wav")};
}

TEST(SynthCli, UnconditionalSecondsAndPrime) {
  test::TempDir dir;
  const Config config = train_small_model(dir, {"model.local_conditioning=false"});
  const std::string synth = "--log-level warn synth --float --checkpoint " + (dir / "run").string() + " ";
  ASSERT_EQ(run(synth + "--seconds 0.05 --count 2 --out-dir " + (dir / "u").string(), dir / "u.log"), 0) << test::read_text(dir / "u.log");
  const std::vector<float> first = wav_samples(dir / "u/sample_000.wav"), second = wav_samples(dir / "u/sample_001.wav");
  EXPECT_EQ(first.size(), 400u);
  EXPECT_EQ(second.size(), 400u);
  EXPECT_NE(first, second) << "clip i uses seed + i";

  const PrimedClip clip = continue_a_tone(dir, config, synth);
  ASSERT_EQ(clip.continued.size(), clip.prime.size() + 400);
  EXPECT_TRUE(std::equal(clip.prime.begin(), clip.prime.end(), clip.continued.begin()));

  EXPECT_EQ(run(synth + "--wav " + (dir / "prime.wav").string() + " --out " + (dir / "x.wav").string(), dir / "mel.log"), 2);
  EXPECT_NE(test::read_text(dir / "mel.log").find("an unconditional model takes no mel"), std::string::npos);
}

// The same synth command line serves every family: an unconditional SampleRNN from silence and
// continuing a prime (teacher-forced through its quantization).
TEST(SynthCli, SampleRnnUnconditionalAndPrimed) {
  test::TempDir dir;
  const Config config = train_small_model(dir, {}, test::small_samplernn_config);
  const std::string synth = "--log-level warn synth --float --checkpoint " + (dir / "run").string() + " ";
  ASSERT_EQ(run(synth + "--seconds 0.05 --count 2 --out-dir " + (dir / "u").string(), dir / "u.log"), 0) << test::read_text(dir / "u.log");
  const std::vector<float> first = wav_samples(dir / "u/sample_000.wav"), second = wav_samples(dir / "u/sample_001.wav");
  EXPECT_EQ(first.size(), 400u);
  EXPECT_NE(first, second);
  const PrimedClip clip = continue_a_tone(dir, config, synth);
  ASSERT_EQ(clip.continued.size(), clip.prime.size() + 400);
  const float step = 2.0f / (config.model.quantize_channels - 1);  // linear levels: at most half a step off
  for (std::size_t t = 0; t < clip.prime.size(); ++t) ASSERT_NEAR(clip.continued[t], clip.prime[t], 0.5f * step + 1e-6f) << t;
}

// A SampleRNN vocoder: mel conditioning at the top tier and a label, through the same synth
// inputs as WaveNet's.
TEST(SynthCli, SampleRnnFromMelsWithALabel) {
  test::TempDir dir;
  const Config config = train_small_model(dir, {"model.local_conditioning=true", "model.global_conditioning=true"},
                                          test::small_samplernn_config);
  const int frames = 5;
  std::vector<float> mel(static_cast<std::size_t>(frames * config.audio.n_mels), -2.0f);
  write_npy(dir / "mel.npy", mel, {frames, config.audio.n_mels});
  ASSERT_EQ(run("--log-level warn synth --checkpoint " + (dir / "run").string() + " --mel " + (dir / "mel.npy").string() +
                    " --label bob --out " + (dir / "out.wav").string(),
                dir / "synth.log"),
            0)
      << test::read_text(dir / "synth.log");
  EXPECT_EQ(read_audio_mono(dir / "out.wav").samples.size(), static_cast<std::size_t>(frames * config.audio.hop_length));
  EXPECT_EQ(run("--log-level warn synth --checkpoint " + (dir / "run").string() + " --mel " + (dir / "mel.npy").string() +
                    " --label carol --out " + (dir / "x.wav").string(),
                dir / "bad.log"),
            2);
}

TEST(BenchCli, SampleRnnBesideItsBaseline) {
  test::TempDir dir;
  ASSERT_EQ(run("--log-level warn bench --config samplernn-tiny --threads 2 --seconds 0.05 --baseline-steps 32 --json " +
                    (dir / "b.json").string(), dir / "log"), 0)
      << test::read_text(dir / "log");
  const std::string out = test::read_text(dir / "log");
  EXPECT_NE(out.find("samplernn: 2 frame tiers"), std::string::npos) << out;
  EXPECT_NE(out.find("engine speed-up over libtorch_step"), std::string::npos) << out;
  EXPECT_NE(test::read_text(dir / "b.json").find("\"method\": \"libtorch_step\""), std::string::npos);
}

// Shard label ids belong to their corpus: through the manifest beside the shard they are
// matched to the checkpoint's label names. Unlabelled utterances on a labelled model are
// reported and skipped. Checkpoints carry the training mel statistics for data.normalize_mel.
TEST(SynthCli, ShardLabelsByNameAndNormalisedMels) {
  test::TempDir dir;
  const Config config = train_small_model(dir, {"model.global_conditioning=true", "data.normalize_mel=true"});
  const LoadedModel model = load_model(dir / "run", true);
  EXPECT_EQ(model.labels, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(model.mel_mean, read_manifest(dir / "data").mel_mean);
  EXPECT_EQ(model.mel_std, read_manifest(dir / "data").mel_std);

  // The same corpus whose manifest calls label 0 "bob": utt0 is then bob's.
  test::write_small_corpus(dir / "swapped", config);
  Manifest swapped = read_manifest(dir / "swapped");
  swapped.labels = {"bob", "alice"};
  write_manifest(dir / "swapped", swapped, "test");
  const std::string synth = "--log-level warn synth --float --checkpoint " + (dir / "run").string() + " --utterance utt0 ";
  ASSERT_EQ(run(synth + "--shard " + (dir / "swapped/train-00000.h5").string() + " --out " + (dir / "swapped.wav").string(), dir / "s.log"), 0)
      << test::read_text(dir / "s.log");
  ASSERT_EQ(run(synth + "--shard " + (dir / "data/train-00000.h5").string() + " --label bob --out " + (dir / "bob.wav").string(), dir / "b.log"), 0)
      << test::read_text(dir / "b.log");
  EXPECT_EQ(wav_samples(dir / "swapped.wav"), wav_samples(dir / "bob.wav"));

  // A shard without labels (and no manifest beside it): reported, the labelled .npy still runs.
  std::vector<ShardUtterance> unlabelled(1);
  unlabelled[0].name = "nobody";
  unlabelled[0].audio.assign(static_cast<std::size_t>(10 * config.audio.hop_length), 0.1f);
  unlabelled[0].mel.assign(static_cast<std::size_t>(10 * config.audio.n_mels), -2.0f);
  std::filesystem::create_directories(dir / "bare");
  write_shard(dir / "bare/s.h5", ShardAttributes{config.audio.sample_rate, config.audio.hop_length, config.audio.n_mels}, unlabelled);
  EXPECT_EQ(run("synth --checkpoint " + (dir / "run").string() + " --label alice --shard " + (dir / "bare/s.h5").string() +
                    " --out-dir " + (dir / "ok").string(),
                dir / "ok.log"),
            0)
      << "--label covers it: " << test::read_text(dir / "ok.log");
  EXPECT_EQ(run("synth --checkpoint " + (dir / "run").string() + " --shard " + (dir / "bare/s.h5").string() + " --shard " +
                    (dir / "data/valid-00000.h5").string() + " --out-dir " + (dir / "mixed").string(),
                dir / "nolabel.log"),
            2);
  const std::string log = test::read_text(dir / "nolabel.log");
  EXPECT_NE(log.find("s.h5:nobody: has no label"), std::string::npos) << log;
  EXPECT_EQ(wav_samples(dir / "mixed/utt5.wav").size(), static_cast<std::size_t>(35 * config.audio.hop_length)) << log;
}

TEST(EvalCli, ComparesDirectoriesByName) {
  test::TempDir dir;
  std::vector<float> tone(8000);
  for (std::size_t t = 0; t < tone.size(); ++t) tone[t] = 0.3f * std::sin(0.07f * t) + 0.1f * std::sin(0.31f * t);
  test::write_wav16(dir / "ref/a.wav", tone, 22050);
  test::write_wav16(dir / "same/a.wav", tone, 22050);
  ASSERT_EQ(run("eval " + (dir / "ref").string() + " " + (dir / "same").string() + " --json " + (dir / "m.json").string(),
                dir / "log"),
            0)
      << test::read_text(dir / "log");
  const std::string out = test::read_text(dir / "log");
  EXPECT_NE(out.find("a          "), std::string::npos) << out;
  EXPECT_NE(out.find("inf"), std::string::npos) << "identical files: infinite SNR\n" << out;
  EXPECT_NE(test::read_text(dir / "m.json").find("\"log_mel_distance\": 0"), std::string::npos);
  EXPECT_EQ(run("eval " + (dir / "ref").string() + " " + (dir / "missing").string(), dir / "bad"), 2);

  // Two systems on the same references: one row each, in one table, and config overrides still parse.
  std::vector<float> louder = tone;
  for (float& v : louder) v *= 2.0f;
  test::write_wav16(dir / "louder/a.wav", louder, 22050);
  ASSERT_EQ(run("eval " + (dir / "ref").string() + " " + (dir / "same").string() + " " + (dir / "louder").string() +
                    " audio.n_mels=40 --json " + (dir / "two.json").string(),
                dir / "two.log"),
            0)
      << test::read_text(dir / "two.log");
  const std::string two = test::read_text(dir / "two.log");
  const auto table = two.find("mean over matched pairs");
  ASSERT_NE(table, std::string::npos) << two;
  EXPECT_NE(two.find("same ", table), std::string::npos) << two;
  EXPECT_NE(two.find("louder ", table), std::string::npos) << two;
  const std::string json2 = test::read_text(dir / "two.json");
  EXPECT_NE(json2.find("{\"systems\": [{\"generated\": "), std::string::npos) << json2;
  EXPECT_NE(json2.find("louder\", \"pairs\""), std::string::npos) << json2;
}

}  // namespace
}  // namespace wn
