// The r9y9 import against a reimplementation of that project's model (r9y9_reference.py): the
// imported model's teacher-forced outputs equal its forward, our nll equals its loss, the engine
// generates from it, and what cannot be mapped is refused by name.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <fstream>

#include "core/errors.h"
#include "nets/audio_likelihood.h"
#include "nets/model_loading.h"
#include "nets/wavenet/wavenet.h"
#include "tests/nets/interop/r9y9_fixture.h"
#include "tests/test_support.h"

namespace wn {
namespace {

using test::R9y9Fixture;
using test::TempDir;

LoadedModel imported(const R9y9Fixture& fixture, const TempDir& dir) {
  R9y9ImportOptions options;
  options.checkpoint = fixture.checkpoint();
  options.hparams = fixture.hparams();
  if (fixture.has_meanvar()) options.meanvar = fixture.meanvar();
  options.out = dir / "imported.pt";
  const R9y9ImportReport report = import_r9y9(options);
  EXPECT_EQ(report.step, 123456);
  EXPECT_EQ(report.dropped.size(), 3u);  // the last layer's residual 1x1: weight_g, weight_v, bias
  return load_model(options.out, /*use_ema=*/true);
}

torch::Tensor tensor_of(const NpyArray& a) {
  return torch::tensor(a.data).reshape(c10::IntArrayRef(a.shape.data(), a.shape.size()));
}

class R9y9Variant : public ::testing::TestWithParam<const char*> {};

TEST_P(R9y9Variant, TeacherForcedOutputsAndLossEqualTheReimplementation) {
  TempDir dir;
  R9y9Fixture fixture;
  ASSERT_NO_FATAL_FAILURE(test::make_r9y9_fixture(GetParam(), dir / "r9y9", fixture));
  const LoadedModel model = imported(fixture, dir);
  auto& net = dynamic_cast<WaveNetImpl&>(model.model->module());

  const torch::Tensor modelled = tensor_of(fixture.array("modelled")).unsqueeze(0);  // (1, T): gain, pre-emphasis
  const NpyArray mel = fixture.array("mel");                                         // frames + 2*cin_pad rows
  const torch::Tensor expected = tensor_of(fixture.array("y_hat")).unsqueeze(0);
  torch::Tensor labels;
  if (fixture.speaker() >= 0) labels = torch::tensor({fixture.speaker()}, torch::kLong);
  torch::NoGradGuard no_grad;
  const torch::Tensor ours =
      net.forward(net.encode_input(modelled), conditioning_mel(model, mel.data, /*has_context=*/true).unsqueeze(0), labels);
  ASSERT_EQ(ours.sizes(), expected.sizes());
  const double error = ((ours - expected).norm() / expected.norm()).item<double>();
  EXPECT_LT(error, 1e-5) << GetParam() << ": normalised error of the outputs";

  // nll of the plain clip: our pipeline applies the model's gain and pre-emphasis itself.
  LikelihoodInput input;
  input.audio = fixture.array("wav").data;
  input.mel = mel.data;
  input.mel_has_context = true;
  input.label = fixture.speaker();
  const AudioLikelihood likelihood = audio_likelihood(model, input);
  const double reference = fixture.array("nll").data[0];
  EXPECT_EQ(likelihood.samples, modelled.size(1) - 1);
  EXPECT_NEAR(likelihood.nats_per_sample, reference, 1e-5 * std::max(1.0, std::abs(reference))) << GetParam();
  std::printf("%s: outputs' normalised error %.2e; nll %.6f nats/sample, reimplementation %.6f\n", GetParam(), error,
              likelihood.nats_per_sample, reference);
}

INSTANTIATE_TEST_SUITE_P(Variants, R9y9Variant, ::testing::Values("mol", "mulaw256", "gaussian", "speakers"));

TEST(R9y9Import, TheEngineGeneratesFromTheImportedModel) {
  TempDir dir;
  R9y9Fixture fixture;
  ASSERT_NO_FATAL_FAILURE(test::make_r9y9_fixture("mol", dir / "r9y9", fixture));
  const LoadedModel model = imported(fixture, dir);
  const NpyArray mel = fixture.array("mel");
  GenerationRequest request;
  request.mel = conditioning_mel(model, mel.data, /*has_context=*/true).unsqueeze(0);
  request.samples = (mel.shape[0] - 4) * model.config.audio.hop_length;
  request.seeds = {5};
  const torch::Tensor fast = model.model->fast_generator(FastGeneratorOptions{})->generate(request, 0);
  ASSERT_EQ(fast.dim(), 2);
  EXPECT_EQ(fast.size(1), request.samples);
  EXPECT_TRUE(torch::isfinite(fast).all().item<bool>());
  EXPECT_LE(fast.abs().max().item<float>(), 1.0f);
  EXPECT_GT(fast.std().item<float>(), 1e-3f) << "the engine's samples do not move";
}

TEST(R9y9Import, WhatHasNoPlaceInTheModelIsNamed) {
  TempDir dir;
  R9y9Fixture fixture;
  ASSERT_NO_FATAL_FAILURE(test::make_r9y9_fixture("mol", dir / "r9y9", fixture));
  const TorchCheckpoint checkpoint = read_torch_checkpoint(fixture.checkpoint());
  EXPECT_EQ(checkpoint.step, 123456);
  const Config config = config_for_r9y9(read_r9y9_hparams(fixture.hparams()), false);
  ASSERT_NO_THROW(wavenet_weights_from_r9y9(checkpoint.state, config, "ckpt"));

  NamedTensors extra = checkpoint.state;
  extra.emplace_back("postnet.weight", torch::zeros({3}));
  EXPECT_EQ(test::error_message<UserError>([&] { wavenet_weights_from_r9y9(extra, config, "ckpt"); }),
            "ckpt: postnet.weight: not a weight of r9y9's WaveNet that the import knows");

  NamedTensors reshaped = checkpoint.state;
  for (auto& [name, t] : reshaped) {
    if (name == "conv_layers.2.conv.weight_v") t = torch::zeros({32, 16, 2});
  }
  EXPECT_NE(test::error_message<UserError>([&] { wavenet_weights_from_r9y9(reshaped, config, "ckpt"); })
                .find("conv_layers.2.conv.weight_v: shape [32, 16, 2]"),
            std::string::npos);

  NamedTensors missing;
  for (const auto& [name, t] : checkpoint.state) {
    if (name != "upsample_net.conv_in.weight") missing.emplace_back(name, t);
  }
  EXPECT_NE(test::error_message<UserError>([&] { wavenet_weights_from_r9y9(missing, config, "ckpt"); })
                .find("holds no weights for upsampler.input_conv.weight"),
            std::string::npos);

  Config fewer = config;
  fewer.model.layers = 4;
  EXPECT_NE(test::error_message<UserError>([&] { wavenet_weights_from_r9y9(checkpoint.state, fewer, "ckpt"); })
                .find("has no place in a WaveNet with these hparams"),
            std::string::npos);
}

// r9y9's UpsampleNetwork (no conv_in, cin_pad 0) keeps its convs at upsample_net.up_layers.N:
// they map to the same kernels, and our input conv becomes the identity.
TEST(R9y9Import, AnUpsampleNetworkWithoutConvInGetsAnIdentityInputConv) {
  TempDir dir;
  R9y9Fixture fixture;
  ASSERT_NO_FATAL_FAILURE(test::make_r9y9_fixture("mulaw256", dir / "r9y9", fixture));  // cin_pad 0
  const TorchCheckpoint checkpoint = read_torch_checkpoint(fixture.checkpoint());
  const Config config = config_for_r9y9(read_r9y9_hparams(fixture.hparams()), false);
  ASSERT_EQ(config.model.cond_kernel_size, 1);
  NamedTensors plain;
  for (const auto& [name, t] : checkpoint.state) {
    if (name == "upsample_net.conv_in.weight") continue;
    std::string renamed = name;
    const std::string nested = "upsample_net.upsample.";
    if (renamed.rfind(nested, 0) == 0) renamed = "upsample_net." + renamed.substr(nested.size());
    plain.emplace_back(renamed, t);
  }
  const NamedTensors with_conv_in = wavenet_weights_from_r9y9(checkpoint.state, config, "ckpt");
  const NamedTensors without = wavenet_weights_from_r9y9(plain, config, "ckpt");
  ASSERT_EQ(with_conv_in.size(), without.size());
  int identities = 0;
  for (std::size_t i = 0; i < without.size(); ++i) {
    ASSERT_EQ(with_conv_in[i].first, without[i].first);
    if (without[i].first == "upsampler.input_conv.weight") {
      EXPECT_TRUE(torch::equal(without[i].second, torch::eye(80).unsqueeze(-1)));
      ++identities;
    } else {
      EXPECT_TRUE(torch::equal(with_conv_in[i].second, without[i].second)) << without[i].first;
    }
  }
  EXPECT_EQ(identities, 1);
}

// PyTorch before 1.6 saved another (non-zip) format; the import takes it the same.
TEST(R9y9Import, ReadsTheOlderNonZipFormatToo) {
  TempDir dir;
  R9y9Fixture zip, legacy;
  ASSERT_NO_FATAL_FAILURE(test::make_r9y9_fixture("mol", dir / "zip", zip));
  ASSERT_NO_FATAL_FAILURE(test::make_r9y9_fixture("mol", dir / "legacy", legacy, /*legacy=*/true));
  std::ifstream file(legacy.checkpoint(), std::ios::binary);
  char magic[2] = {};
  file.read(magic, 2);
  ASSERT_NE(std::string(magic, 2), "PK") << "the legacy fixture is a zip archive";
  const TorchCheckpoint a = read_torch_checkpoint(zip.checkpoint()), b = read_torch_checkpoint(legacy.checkpoint());
  ASSERT_EQ(a.state.size(), b.state.size());
  for (std::size_t i = 0; i < a.state.size(); ++i) {
    EXPECT_EQ(a.state[i].first, b.state[i].first);
    EXPECT_TRUE(torch::equal(a.state[i].second, b.state[i].second)) << a.state[i].first;
  }
  EXPECT_EQ(b.step, 123456);
}

TEST(R9y9Import, AFileTorchCannotReadIsNamed) {
  TempDir dir;
  const auto bad = dir / "broken.pth";
  std::ofstream(bad) << "not a checkpoint";
  const std::string message = test::error_message<UserError>([&] { read_torch_checkpoint(bad); });
  EXPECT_EQ(message.rfind(bad.string() + ": not a PyTorch checkpoint torch.load can read", 0), 0u) << message;
  EXPECT_EQ(test::error_message<UserError>([&] { read_torch_checkpoint(dir / "absent.pth"); }),
            (dir / "absent.pth").string() + ": checkpoint not found");
}

struct HparamsCase {
  std::string json;
  std::string message;
};

class R9y9HparamsRefusal : public ::testing::TestWithParam<HparamsCase> {};

TEST_P(R9y9HparamsRefusal, NamesTheKey) {
  TempDir dir;
  const auto path = dir / "hparams.json";
  std::ofstream(path) << GetParam().json;
  EXPECT_EQ(test::error_message<UserError>([&] { read_r9y9_hparams(path); }), path.string() + ": " + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Settings, R9y9HparamsRefusal,
    ::testing::Values(
        HparamsCase{R"({"input_type": "mulaw"})", "input_type: 'mulaw' (companded scalar input) is not supported; raw and mulaw-quantize are"},
        HparamsCase{R"({"output_distribution": "Normal", "out_channels": 30})",
                    "out_channels: mixtures of Gaussians (out_channels 30) are not supported; a single Gaussian has 2"},
        HparamsCase{R"({"upsample_params": {"upsample_scales": [4, 4, 4, 4], "upsample_activation": "LeakyReLU"}})",
                    "upsample_params.upsample_activation: only 'none' is supported"},
        HparamsCase{R"({"upsample_scales": [4, 4, 4, 4]})",
                    "upsample_scales: an older r9y9 hparams schema (upsampling by transposed convolutions) is not supported; "
                    "the current one has upsample_params"},
        HparamsCase{R"({"layers": "many"})", "'layers' has a value of the wrong type"},
        HparamsCase{R"({"input_type": "mulaw-quantize", "quantize_channels": 256, "out_channels": 30})",
                    "out_channels: must equal quantize_channels for mulaw-quantize (as r9y9's build_model requires)"}));

TEST(R9y9Hparams, ThePresetsRecipeAndTimeDomainCarryOver) {
  TempDir dir;
  const auto path = dir / "hparams.json";
  std::ofstream(path) << R"({"input_type": "mulaw-quantize", "quantize_channels": 256, "out_channels": 256,
                            "preprocess": "preemphasis", "global_gain_scale": 0.55, "cin_pad": 2, "fmax": 7600, "hop_size": null,
                            "frame_shift_ms": 12.5, "sample_rate": 16000, "upsample_params": {"upsample_scales": [4, 5, 10]}})";
  const Config c = config_for_r9y9(read_r9y9_hparams(path), true);
  EXPECT_EQ(c.audio.hop_length, 200);
  EXPECT_EQ(c.audio.compression, "log10");
  EXPECT_DOUBLE_EQ(c.audio.log_floor, 1e-10);
  EXPECT_NEAR(std::pow(10.0, c.audio.gain_db / 20.0), 0.55, 1e-12);
  EXPECT_DOUBLE_EQ(c.audio.preemphasis, 0.85);
  EXPECT_TRUE(c.audio.mel_before_emphasis);
  EXPECT_EQ(c.model.quantization, "mulaw_floor");
  EXPECT_EQ(c.model.output, "softmax");
  EXPECT_EQ(c.model.cond_kernel_size, 5);
  EXPECT_TRUE(c.data.normalize_mel);
}

}  // namespace
}  // namespace wn
