// SampleRNN's correctness ladder: the LibTorch forward (training path) is the reference; the
// step-by-step LibTorch generator and the fast engine, teacher-forced on the same audio, must
// give the same logits, and free-running output must depend on the seed alone.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/config/config_io.h"
#include "core/kernels/kernels.h"
#include "nets/quantize_tensor.h"
#include "nets/samplernn/engine/samplernn_engine.h"
#include "nets/samplernn/samplernn.h"
#include "nets/samplernn/samplernn_reference_generator.h"

namespace wn {
namespace {

constexpr int kHop = 16;

Config small_config(const std::vector<std::string>& extra) {
  std::vector<std::string> o = {"model.type=samplernn", "model.frame_sizes=8,2", "model.rnn_dim=24",
                                "model.mlp_dim=40", "model.embedding_dim=6", "model.quantize_channels=32",
                                "model.rnn_layers=2", "model.local_conditioning=false", "audio.hop_length=16",
                                "audio.n_fft=64", "audio.win_length=64", "audio.n_mels=5", "audio.sample_rate=8000",
                                "audio.fmin=0", "audio.fmax=4000", "train.max_time_steps=64", "model.cond_kernel_size=3"};
  o.insert(o.end(), extra.begin(), extra.end());
  return resolve_config(std::nullopt, o);
}

SampleRnn make_net(const Config& c, uint64_t seed) {
  torch::manual_seed(seed);
  SampleRnn net(c.model, c.audio.n_mels, c.audio.hop_length, 3);
  // Non-zero learned initial states, so the test sees them used.
  torch::NoGradGuard no_grad;
  for (auto& p : net->named_parameters()) {
    const std::string& name = p.key();
    if (name.size() > 2 && (name.substr(name.size() - 2) == "h0" || name.substr(name.size() - 2) == "c0")) {
      p.value().uniform_(-0.5, 0.5);
    }
  }
  net->eval();
  return net;
}

double normalised_error(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm().clamp_min(1e-12)).item<double>();
}

struct Case {
  std::string rnn;
  bool mel, labels;
  std::string quantization;
};

class SampleRnnLadder : public ::testing::TestWithParam<Case> {};

TEST_P(SampleRnnLadder, TeacherForcedGeneratorsEqualTheForward) {
  const Case c = GetParam();
  const Config config = small_config({"model.rnn_type=" + c.rnn, "model.quantization=" + c.quantization,
                                      c.mel ? "model.local_conditioning=true" : "model.local_conditioning=false",
                                      c.labels ? "model.global_conditioning=true" : "model.global_conditioning=false"});
  SampleRnn net = make_net(config, 3);
  const int64_t B = 3, T = 96, H = net->history(), Q = config.model.quantize_channels;
  const Quantization q = quantization_named(config.model.quantization);
  const torch::Tensor audio = torch::rand({B, T}) * 1.6 - 0.8;
  const torch::Tensor classes = quantize_tensor(torch::cat({torch::zeros({B, H}), audio}, 1), static_cast<int>(Q), q);
  const torch::Tensor values = dequantize_tensor(classes, static_cast<int>(Q), q);
  GenerationRequest request;
  request.samples = T;
  request.batch = B;
  request.teacher = dequantize_tensor(classes.narrow(1, H, T), static_cast<int>(Q), q);
  if (c.mel) request.mel = torch::randn({B, T / kHop + 2, config.audio.n_mels});
  if (c.labels) request.labels = torch::tensor({2, 0, 1}, torch::kLong);
  SampleRnnState state;
  torch::Tensor forward;
  {
    torch::NoGradGuard no_grad;
    forward = net->forward(classes, values, request.mel, request.labels, torch::ones({B}, torch::kBool), state)
                  .permute({0, 2, 1});  // (B, Q, T)
  }
  torch::Tensor reference_logits;
  SampleRnnReferenceGenerator(net).generate(request, 1, &reference_logits);
  EXPECT_LT(normalised_error(reference_logits, forward), 1e-5);
  for (const char* kernels : {"scalar", "avx2", "avx512", "avx512bf16", "avx512bf16-emulated"}) {
    for (int threads : {1, 2}) {
      SampleRnnEngineOptions options;
      options.threads = threads;
      options.kernels = &kernels::kernels_named(kernels);
      SampleRnnEngine engine(pack_samplernn_weights(net, "fp32"), options);
      torch::Tensor engine_logits;
      const torch::Tensor generated = engine.generate(request, 1, &engine_logits);
      EXPECT_LT(normalised_error(engine_logits, forward), 1e-5) << kernels << " threads " << threads;
      EXPECT_TRUE(torch::allclose(generated, request.teacher, 0, 1e-6)) << "teacher forcing feeds the true samples back";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, SampleRnnLadder,
                         ::testing::Values(Case{"gru", false, false, "linear"}, Case{"lstm", false, false, "mulaw"},
                                           Case{"gru", true, true, "mulaw"}, Case{"lstm", true, false, "linear"},
                                           Case{"gru", true, false, "linear"}, Case{"gru", false, true, "linear"}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           const Case& c = info.param;
                           return c.rnn + (c.mel ? "_mel" : "") + (c.labels ? "_labels" : "") + "_" + c.quantization;
                         });

TEST(SampleRnnEngine, FreeRunningDependsOnTheSeedOnly) {
  const Config config = small_config({"model.global_conditioning=true"});
  SampleRnn net = make_net(config, 4);
  SampleRnnEngineOptions two_threads;
  two_threads.threads = 2;
  SampleRnnEngine engine(pack_samplernn_weights(net, "fp32"), two_threads);
  GenerationRequest request;
  request.samples = 200;
  request.batch = 3;
  request.labels = torch::tensor({0, 1, 2}, torch::kLong);
  request.seeds = {11, 12, 13};
  const torch::Tensor first = engine.generate(request, 0);
  EXPECT_TRUE(torch::equal(first, engine.generate(request, 0)));
  EXPECT_FALSE(torch::equal(first[0], first[1]));
  EXPECT_GT(first.abs().max().item<float>(), 0.0f);
  // Each row alone, with its own seed, gets its row of the batch.
  for (int64_t b = 0; b < 3; ++b) {
    GenerationRequest one;
    one.samples = 200;
    one.labels = request.labels.narrow(0, b, 1);
    one.seeds = {request.seeds[b]};
    EXPECT_TRUE(torch::equal(engine.generate(one, 0)[0], first[b])) << "row " << b;
  }
  GenerationRequest other = request;
  other.seeds = {21, 12, 13};
  const torch::Tensor changed = engine.generate(other, 0);
  EXPECT_FALSE(torch::equal(changed[0], first[0]));
  EXPECT_TRUE(torch::equal(changed[1], first[1]));
}

TEST(SampleRnnEngine, Bf16StaysCloseToFp32) {
  const Config config = small_config({});
  SampleRnn net = make_net(config, 5);
  GenerationRequest request;
  request.samples = 64;
  request.batch = 2;
  request.teacher = torch::rand({2, 64}) - 0.5;
  torch::Tensor fp32;
  SampleRnnEngine(pack_samplernn_weights(net, "fp32"), {}).generate(request, 1, &fp32);
  // Rows of bf16 (fp32 activations) and k pairs (activations rounded too, as vdpbf16ps takes them).
  for (const char* kernels : {"avx512", "avx512bf16-emulated"}) {
    SampleRnnEngineOptions options;
    options.kernels = &kernels::kernels_named(kernels);
    torch::Tensor bf16;
    SampleRnnEngine(pack_samplernn_weights(net, "bf16"), options).generate(request, 1, &bf16);
    const double error = normalised_error(bf16, fp32);
    EXPECT_GT(error, 0.0) << options.kernels->name;
    EXPECT_LT(error, 2e-2) << options.kernels->name;
  }
}

TEST(SampleRnnTraining, CarriedStateMakesTwoChunksEqualOneLongOne) {
  const Config config = small_config({"model.rnn_type=lstm"});
  SampleRnn net = make_net(config, 6);
  torch::NoGradGuard no_grad;
  const int64_t B = 2, H = net->history(), T = 64;
  const torch::Tensor classes = torch::randint(0, config.model.quantize_channels, {B, H + 2 * T}, torch::kLong);
  const torch::Tensor values = dequantize_tensor(classes, config.model.quantize_channels, Quantization::linear);
  SampleRnnState whole_state, chunk_state;
  const torch::Tensor reset = torch::ones({B}, torch::kBool);
  const torch::Tensor whole = net->forward(classes, values, {}, {}, reset, whole_state);
  const torch::Tensor first = net->forward(classes.narrow(1, 0, H + T), values.narrow(1, 0, H + T), {}, {}, reset, chunk_state);
  const torch::Tensor second = net->forward(classes.narrow(1, T, H + T), values.narrow(1, T, H + T), {}, {},
                                            torch::zeros({B}, torch::kBool), chunk_state);
  EXPECT_LT(normalised_error(torch::cat({first, second}, 1), whole), 1e-5);
  // A reset row starts again from the learned initial state.
  SampleRnnState restarted = chunk_state;
  const torch::Tensor again = net->forward(classes.narrow(1, 0, H + T), values.narrow(1, 0, H + T), {}, {},
                                           torch::tensor({true, false}), restarted);
  EXPECT_LT(normalised_error(again[0], first[0]), 1e-6);
  EXPECT_GT(normalised_error(again[1], first[1]), 1e-3);
}

}  // namespace
}  // namespace wn
