// The correctness ladder of the cached engine: with teacher forcing, every step's output equals
// the LibTorch full forward of the same model on the same audio (normalised error < 1e-5, fp32)
// for every preset shape, kernel 2 and 3, each output distribution, with and without global
// conditioning, on 1 and 2 threads and batches of several utterances; bf16 storage within its
// own bound; free-running generation reproducible from the seed and thread count.

#include "nets/wavenet/engine/cached_engine.h"
#include "nets/batched_synthesis.h"

#include <gtest/gtest.h>

#include <random>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "tests/test_support.h"
#include "dataio/mulaw.h"
#include "nets/outputs/step_sampler.h"

namespace wn {
namespace {

struct LadderCase {
  std::string name;
  std::vector<std::string> overrides;  // applied to the preset
  std::string preset;
  int threads;
  int batch;
  int frames;
};

Config config_for(const LadderCase& c) {
  return resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / (c.preset + ".yaml"), c.overrides);
}

// Full forward of the model on `audio` (B, T): (B, out, T), the reference.
torch::Tensor full_forward(WaveNet& net, const torch::Tensor& audio, const torch::Tensor& mel, const torch::Tensor& labels) {
  torch::NoGradGuard no_grad;
  const int64_t t = audio.size(1);
  const torch::Tensor previous = torch::cat({torch::zeros({audio.size(0), 1}), audio.narrow(1, 0, t - 1)}, 1);
  return net->forward(net->encode_input(previous), mel, labels);
}

double normalised_error(const torch::Tensor& got, const torch::Tensor& expected) {
  return (got - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

// Every step's network output when the engine is teacher-forced with `audio` (B, T).
torch::Tensor teacher_forced_outputs(WaveNet& net, const EngineOptions& options, const torch::Tensor& audio,
                                     const torch::Tensor& mel, const torch::Tensor& labels = {}) {
  CachedEngine engine(net, options);
  GenerationRequest request;
  request.mel = mel;
  request.labels = labels;
  request.batch = audio.size(0);
  request.samples = audio.size(1);
  request.teacher = audio;
  torch::Tensor outputs;
  engine.generate(request, 1, &outputs);
  return outputs;
}

class EngineLadder : public ::testing::TestWithParam<LadderCase> {};

TEST_P(EngineLadder, TeacherForcedStepsEqualFullForward) {
  const LadderCase& c = GetParam();
  const Config config = config_for(c);
  torch::manual_seed(21);
  WaveNet net(config.model, config.audio.n_mels, 3);
  net->eval();
  const int64_t t = static_cast<int64_t>(c.frames) * config.audio.hop_length;
  const torch::Tensor audio = torch::tanh(torch::randn({c.batch, t}) * 0.5);
  const torch::Tensor mel = torch::randn({c.batch, c.frames + 2 * net->context_frames(), config.audio.n_mels});
  const torch::Tensor labels = torch::arange(c.batch, torch::kLong) % 3;
  const bool global = config.model.global_conditioning;
  const torch::Tensor expected = full_forward(net, audio, config.model.local_conditioning ? mel : torch::Tensor(),
                                              global ? labels : torch::Tensor());

  EngineOptions options;
  options.threads = c.threads;
  options.chunk = 100;  // not a divisor of the length: chunk boundaries mid-utterance
  const torch::Tensor outputs = teacher_forced_outputs(net, options, audio, config.model.local_conditioning ? mel : torch::Tensor(),
                                                       global ? labels : torch::Tensor());
  EXPECT_LT(normalised_error(outputs, expected), 1e-5) << c.name << " (" << kernels::best_kernels().name << " kernels)";
}

INSTANTIATE_TEST_SUITE_P(
    Presets, EngineLadder,
    ::testing::Values(
        LadderCase{"tiny", {}, "tiny", 1, 1, 12},
        LadderCase{"r64k2_2threads", {}, "r64k2", 2, 1, 9},  // 2304 steps: rings of 512 wrap
        LadderCase{"mol24_batch2_2threads", {}, "mol24", 2, 2, 3},
        LadderCase{"mulaw30", {}, "mulaw30", 1, 1, 9},  // dilation 512, kernel 3: span 1024 wraps
        LadderCase{"k2_mol_global_batch3", {"model.kernel_size=2", "model.global_conditioning=true"}, "tiny", 2, 3, 4},
        LadderCase{"k3_softmax_global", {"model.kernel_size=3", "model.global_conditioning=true"}, "tiny", 1, 2, 4},
        LadderCase{"k2_gaussian_raw", {"model.output=gaussian", "model.input=raw"}, "tiny", 2, 2, 4},
        LadderCase{"k3_gaussian_global_mulaw", {"model.kernel_size=3", "model.output=gaussian", "model.global_conditioning=true"}, "tiny", 1, 1, 4},
        LadderCase{"k3_mol_raw", {"model.kernel_size=3", "model.output=mol", "model.input=raw", "model.quantize_channels=65536"}, "tiny", 2, 1, 4},
        LadderCase{"unconditional_k2", {"model.local_conditioning=false"}, "tiny", 2, 2, 4},
        LadderCase{"no_weight_norm", {"model.weight_norm=false"}, "tiny", 1, 1, 4},
        LadderCase{"transposed_upsampler", {"model.upsample_mode=transposed"}, "tiny", 2, 2, 4}),
    [](const ::testing::TestParamInfo<LadderCase>& info) { return info.param.name; });

TEST(EngineLadderKernels, EveryKernelTableAgrees) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "r64k2.yaml");
  torch::manual_seed(4);
  WaveNet net(config.model, config.audio.n_mels);
  net->eval();
  const torch::Tensor audio = torch::tanh(torch::randn({1, 512}) * 0.5);
  const torch::Tensor mel = torch::randn({1, 2 + 4, 80});
  const torch::Tensor expected = full_forward(net, audio, mel, {});
  for (const char* name : {"scalar", "avx2", "avx512", "avx512bf16", "avx512bf16-emulated"}) {
    EngineOptions options;
    options.kernels = &kernels::kernels_named(name);
    EXPECT_LT(normalised_error(teacher_forced_outputs(net, options, audio, mel), expected), 1e-5) << options.kernels->name;
  }
}

// Any chunk length, including ones that are not a multiple of the last upsampling scale (a
// chunk then straddles one more last-stage row), gives the full forward's outputs.
TEST(EngineChunks, AnyChunkLengthMatchesFullForward) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml");
  torch::manual_seed(14);
  WaveNet net(config.model, config.audio.n_mels);
  net->eval();
  const int frames = 3;
  const int64_t t = static_cast<int64_t>(frames) * config.audio.hop_length;
  const torch::Tensor audio = torch::tanh(torch::randn({1, t}) * 0.5);
  const torch::Tensor mel = torch::randn({1, frames + 2 * net->context_frames(), config.audio.n_mels});
  const torch::Tensor expected = full_forward(net, audio, mel, {});
  for (int chunk : {1, 3, 5, 7, 100}) {
    EngineOptions options;
    options.chunk = chunk;
    options.threads = 2;
    EXPECT_LT(normalised_error(teacher_forced_outputs(net, options, audio, mel), expected), 1e-5) << "chunk " << chunk;
  }
}

TEST(EngineBf16, StaysCloseToFp32) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "r64k2.yaml");
  torch::manual_seed(5);
  WaveNet net(config.model, config.audio.n_mels);
  net->eval();
  const torch::Tensor audio = torch::tanh(torch::randn({1, 768}) * 0.5);
  const torch::Tensor mel = torch::randn({1, 3 + 4, 80});
  const torch::Tensor expected = full_forward(net, audio, mel, {});
  // Rows of bf16 with fp32 activations, and k pairs with activations rounded to bf16 as the
  // AVX-512 BF16 dot product takes them (emulated here when the CPU lacks it): one tolerance.
  for (const char* name : {"avx512", "avx512bf16", "avx512bf16-emulated", "scalar"}) {
    EngineOptions options;
    options.precision = "bf16";
    options.kernels = &kernels::kernels_named(name);
    const double error = normalised_error(teacher_forced_outputs(net, options, audio, mel), expected);
    std::printf("bf16 weights, %s kernels: normalised error %.2e against the fp32 LibTorch forward\n", options.kernels->name, error);
    EXPECT_LT(error, 2e-2) << options.kernels->name;
    EXPECT_GT(error, 1e-6) << "bf16 storage should not be bit-exact; is it really in use? " << options.kernels->name;
  }
}

TEST(EngineFreeRunning, ReproducibleForSeedAndThreads) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                                       {"model.output=mol", "model.input=raw", "model.quantize_channels=65536"});
  torch::manual_seed(6);
  WaveNet net(config.model, config.audio.n_mels);
  const torch::Tensor mel = torch::randn({2, 4 + 4, 80});
  auto run = [&](int threads, uint64_t seed) {
    EngineOptions options;
    options.threads = threads;
    CachedEngine engine(net, options);
    GenerationRequest request;
    request.mel = mel;
    request.samples = 4 * 256;
    return engine.generate(request, seed);
  };
  // Reproducible for a given seed and thread count. (Across thread counts the skip sum is added
  // in a different order, so the audio may differ in the last bits and then diverge.)
  const torch::Tensor a = run(1, 42);
  EXPECT_TRUE(torch::equal(a, run(1, 42)));
  EXPECT_TRUE(torch::equal(run(2, 42), run(2, 42)));
  EXPECT_FALSE(torch::equal(a, run(1, 43)));
  EXPECT_GT(a.abs().max().item<float>(), 0.0f);
}

// The engine's plain upsampler against the LibTorch module it replaces, both upsampling modes
// (trained-looking random weights, not the initial moving average).
TEST(EngineUpsampler, MatchesTheLibTorchUpsampler) {
  for (const char* mode : {"nearest", "transposed"}) {
    const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "mol24.yaml",
                                         {std::string("model.upsample_mode=") + mode});
    torch::manual_seed(12);
    WaveNet net(config.model, config.audio.n_mels);
    {
      torch::NoGradGuard no_grad;
      for (auto& p : net->named_parameters()) {
        if (p.key().rfind("upsampler.", 0) == 0) p.value().normal_(0.0, 0.3);
      }
    }
    const EngineUpsampler upsampler = pack_engine_upsampler(net);
    const int frames = 6 + 2 * net->context_frames(), n_mels = config.audio.n_mels;
    const torch::Tensor mel = torch::randn({1, frames, n_mels});
    torch::Tensor expected;
    {
      torch::NoGradGuard no_grad;
      expected = net->upsample(mel)[0].t().contiguous();  // samples x n_mels
    }
    const std::vector<float> got = upsampler.upsample(mel.data_ptr<float>(), frames);
    ASSERT_EQ(static_cast<int64_t>(got.size()), expected.numel()) << mode;
    const torch::Tensor got_t = torch::from_blob(const_cast<float*>(got.data()), expected.sizes(), torch::kFloat);
    EXPECT_LT(normalised_error(got_t, expected), 1e-5) << mode;
  }
}

// Rows of different lengths in one batch, each with its own mel length and seed, get bit for
// bit the audio each gets alone (free-running sampling, two threads, per-row upsampling).
TEST(EngineBatch, RowsOfDifferentLengthsGetTheirSoloAudio) {
  for (const char* output : {"mol", "softmax"}) {
    const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                                         {std::string("model.output=") + output});
    torch::manual_seed(8);
    WaveNet net(config.model, config.audio.n_mels);
    net->eval();
    const int ctx = net->context_frames(), hop = config.audio.hop_length, n_mels = config.audio.n_mels;
    const std::vector<int64_t> frames = {4, 7, 5};
    const std::vector<uint64_t> seeds = {11, 11, 12};
    const int64_t longest = 7;
    std::vector<torch::Tensor> mels;
    torch::Tensor padded = torch::zeros({3, longest + 2 * ctx, n_mels});
    for (int b = 0; b < 3; ++b) {
      mels.push_back(torch::randn({1, frames[b] + 2 * ctx, n_mels}));
      padded[b].narrow(0, 0, frames[b] + 2 * ctx).copy_(mels[b][0]);
    }
    EngineOptions options;
    options.threads = 2;
    options.chunk = 300;
    CachedEngine engine(net, options);
    GenerationRequest batch;
    batch.mel = padded;
    batch.samples = longest * hop;
    batch.seeds = seeds;
    for (int64_t f : frames) batch.mel_frames.push_back(f + 2 * ctx);
    const torch::Tensor together = engine.generate(batch, 999);
    for (int b = 0; b < 3; ++b) {
      GenerationRequest one;
      one.mel = mels[b];
      one.samples = frames[b] * hop;
      const torch::Tensor alone = engine.generate(one, seeds[b]);
      EXPECT_TRUE(torch::equal(together[b].narrow(0, 0, one.samples), alone[0]))
          << output << " row " << b << ": first difference at sample "
          << (together[b].narrow(0, 0, one.samples) != alone[0]).nonzero().min().item<int64_t>();
      EXPECT_GT(alone.abs().max().item<float>(), 0.0f);
    }
    // The two rows with seed 11 but different mels really are different clips.
    EXPECT_FALSE(torch::equal(together[0].narrow(0, 0, 4 * hop), together[1].narrow(0, 0, 4 * hop)));
  }
}

// synthesize_batched: five clips of different lengths in batches of two come back in the
// caller's order, each equal to the clip generated alone.
TEST(BatchedSynthesis, ClipsInBatchesEqualClipsAlone) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                                       {"model.global_conditioning=true"});
  torch::manual_seed(10);
  WaveNet net(config.model, config.audio.n_mels, 3);
  net->eval();
  const int ctx = net->context_frames(), hop = config.audio.hop_length;
  std::vector<SynthesisClip> clips;
  for (int64_t frames : {3, 6, 2, 6, 4}) {
    SynthesisClip clip;
    clip.mel = torch::randn({frames + 2 * ctx, config.audio.n_mels});
    clip.samples = frames * hop;
    clip.label = frames % 3;
    clip.seed = 100 + static_cast<uint64_t>(clips.size());
    clips.push_back(clip);
  }
  EngineOptions engine_options;
  engine_options.threads = 2;
  CachedEngine engine(net, engine_options);
  BatchedSynthesisOptions options;
  options.batch_size = 2;
  options.hop_length = hop;
  options.context_frames = ctx;
  int64_t last_progress = 0;
  options.on_samples = [&](int64_t done) { last_progress = done; };
  std::vector<std::vector<float>> together(clips.size());
  std::vector<std::size_t> finished_order;
  synthesize_batched(engine, clips, options, [&](std::size_t i, std::vector<float> audio) {
    finished_order.push_back(i);
    together[i] = std::move(audio);
  });
  EXPECT_EQ(finished_order, (std::vector<std::size_t>{1, 3, 4, 0, 2})) << "longest first, each clip once";
  int64_t total = 0;
  for (std::size_t i = 0; i < clips.size(); ++i) {
    options.batch_size = 1;
    options.on_samples = nullptr;
    std::vector<float> alone;
    synthesize_batched(engine, {clips[i]}, options, [&](std::size_t, std::vector<float> audio) { alone = std::move(audio); });
    EXPECT_EQ(together[i].size(), static_cast<std::size_t>(clips[i].samples)) << "clip " << i;
    EXPECT_EQ(together[i], alone) << "clip " << i;
    total += clips[i].samples;
  }
  EXPECT_EQ(last_progress, total);

  // Mixed label modes, or a clip longer than its mel, are refused before anything runs.
  std::vector<SynthesisClip> mixed = clips;
  mixed[2].label = -1;
  EXPECT_THROW(synthesize_batched(engine, mixed, options, [](std::size_t, std::vector<float>) {}), std::invalid_argument);
  std::vector<SynthesisClip> too_long = {clips[0]};
  too_long[0].samples += hop;
  EXPECT_THROW(synthesize_batched(engine, too_long, options, [](std::size_t, std::vector<float>) {}), std::invalid_argument);
}

// --prime: the engine is filled by teacher-forcing the prime, then continues on its own. The
// outputs up to the first free step are those of a fully teacher-forced run.
TEST(EnginePrime, TeacherForcedPrimeThenFreeRunning) {
  const Config config = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                                       {"model.local_conditioning=false"});
  torch::manual_seed(9);
  WaveNet net(config.model, config.audio.n_mels);
  net->eval();
  const int64_t samples = 1500, primed = 600;
  const torch::Tensor audio = torch::tanh(torch::randn({1, samples}) * 0.5);
  CachedEngine engine(net, EngineOptions{});
  GenerationRequest forced;
  forced.samples = samples;
  forced.teacher = audio;
  torch::Tensor forced_outputs;
  engine.generate(forced, 3, &forced_outputs);
  GenerationRequest prime = forced;
  prime.teacher = audio.narrow(1, 0, primed);
  torch::Tensor prime_outputs;
  const torch::Tensor continued = engine.generate(prime, 3, &prime_outputs);
  EXPECT_TRUE(torch::equal(continued.narrow(1, 0, primed), audio.narrow(1, 0, primed)));
  EXPECT_TRUE(torch::equal(prime_outputs.narrow(2, 0, primed + 1), forced_outputs.narrow(2, 0, primed + 1)));
  // The continuation is sampled (another seed, another continuation) and depends on the prime.
  const torch::Tensor other_seed = engine.generate(prime, 4);
  EXPECT_TRUE(torch::equal(other_seed.narrow(1, 0, primed), audio.narrow(1, 0, primed)));
  EXPECT_FALSE(torch::equal(other_seed.narrow(1, primed, samples - primed), continued.narrow(1, primed, samples - primed)));
  GenerationRequest unprimed = forced;
  unprimed.teacher = torch::Tensor();
  const torch::Tensor from_silence = engine.generate(unprimed, 3);
  EXPECT_FALSE(torch::equal(from_silence.narrow(1, primed, 100), continued.narrow(1, primed, 100)));
}

TEST(StepSampler, MatchesDistributionParameters) {
  std::mt19937_64 rng(1);
  ModelConfig m;
  m.output = "softmax";
  m.quantize_channels = 4;
  std::vector<float> scratch(4);
  const float logits[] = {0.0f, 1.0f, -1.0f, 0.5f};
  const StepSampler softmax(m, 1.0);
  std::vector<int> counts(4, 0);
  const int n = 40000;
  for (int i = 0; i < n; ++i) counts[mulaw_encode(softmax.sample(logits, rng, scratch.data()), 3)]++;
  double z = 0;
  for (float l : logits) z += std::exp(l);
  for (int c = 0; c < 4; ++c) EXPECT_NEAR(counts[c] / double(n), std::exp(logits[c]) / z, 0.01) << c;

  m.output = "gaussian";
  const StepSampler gaussian(m, 1.0);
  const float params[] = {0.1f, std::log(0.05f)};
  double sum = 0, sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = gaussian.sample(params, rng, nullptr);
    sum += x;
    sq += x * x;
  }
  EXPECT_NEAR(sum / n, 0.1, 0.002);
  EXPECT_NEAR(std::sqrt(sq / n - (sum / n) * (sum / n)), 0.05, 0.002);

  m.output = "mol";
  m.mixture_components = 2;
  const StepSampler mol(m, 1.0);
  const float mix[] = {0.0f, std::log(3.0f), -0.5f, 0.5f, std::log(0.02f), std::log(0.02f)};
  int right = 0;
  for (int i = 0; i < n; ++i) right += mol.sample(mix, rng, nullptr) > 0;
  EXPECT_NEAR(right / double(n), 0.75, 0.01);
}

// An output name without a sampler is an error, not a silent softmax.
TEST(StepSampler, UnknownOutputIsAnError) {
  ModelConfig m;
  m.output = "laplace";
  const std::string message = test::error_message<ConfigError>([&] { StepSampler sampler(m, 1.0); });
  EXPECT_NE(message.find("laplace"), std::string::npos) << message;
}

}  // namespace
}  // namespace wn
