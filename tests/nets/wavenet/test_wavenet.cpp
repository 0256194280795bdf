// The WaveNet module: shapes for every preset, causality and receptive field measured by
// perturbation, conditioning paths, weight normalisation and parameter names.

#include "nets/wavenet/wavenet.h"

#include <gtest/gtest.h>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "nets/wavenet/receptive_field.h"

namespace wn {
namespace {

ModelConfig small_model(std::vector<std::string> overrides) {
  overrides.insert(overrides.begin(), {"model.layers=6", "model.stacks=2", "model.residual_channels=8",
                                       "model.gate_channels=16", "model.skip_channels=8",
                                       "audio.hop_length=16", "model.upsample_scales=4,4",
                                       "train.max_time_steps=256"});
  return resolve_config(std::nullopt, overrides).model;
}

TEST(CausalConv, WeightNormAndCausalFormula) {
  torch::manual_seed(0);
  CausalConv1d conv(CausalConv1dOptions(2, 3, 2).dilation(2).weight_norm(true));
  const auto params = conv->named_parameters();
  ASSERT_TRUE(params.contains("weight_g"));
  ASSERT_TRUE(params.contains("weight_v"));
  const torch::Tensor v = params["weight_v"], g = params["weight_g"];
  EXPECT_TRUE(torch::allclose(conv->weight(), g * v / v.norm(2, {1, 2}, true)));
  const torch::Tensor x = torch::randn({1, 2, 9});
  const torch::Tensor y = conv->forward(x);
  const torch::Tensor w = conv->weight();
  // y[t] = b + w[:, :, 1] x[t] + w[:, :, 0] x[t - 2], with x[<0] = 0.
  for (int64_t t = 0; t < 9; ++t) {
    torch::Tensor expected = conv->bias() + torch::mv(w.select(2, 1), x[0].select(1, t));
    if (t >= 2) expected = expected + torch::mv(w.select(2, 0), x[0].select(1, t - 2));
    EXPECT_TRUE(torch::allclose(y[0].select(1, t), expected, 1e-5, 1e-6)) << "t=" << t;
  }
}

TEST(WaveNet, PresetShapesProduceOutputsOfTheRightSize) {
  for (const char* preset : {"tiny", "r64k2", "mol24", "mulaw30"}) {
    const Config c = resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / (std::string(preset) + ".yaml"));
    WaveNet net(c.model, c.audio.n_mels);
    const int64_t frames = 2, t = frames * c.audio.hop_length;
    const int ctx = net->context_frames();
    const torch::Tensor audio = torch::rand({2, t}) * 2 - 1;
    const torch::Tensor out = net->forward(net->encode_input(audio), torch::randn({2, frames + 2 * ctx, c.audio.n_mels}));
    EXPECT_EQ(out.sizes(), (torch::IntArrayRef{2, net->out_channels(), t})) << preset;
    EXPECT_EQ(net->receptive_field(), receptive_field_samples(c.model)) << preset;
  }
}

// Which output steps change when input step p changes (raw input, so the change is continuous;
// float64, so that even the weakest path through all layers is visible, and untouched steps are
// bit-identical).
std::vector<int64_t> affected_outputs(WaveNet& net, int64_t t, int64_t p, const torch::Tensor& mel) {
  torch::NoGradGuard no_grad;
  const torch::Tensor audio = torch::rand({1, t}, torch::kDouble) * 2 - 1;
  const torch::Tensor base = net->forward(net->encode_input(audio), mel);
  torch::Tensor changed_audio = audio.clone();
  changed_audio[0][p] += 0.5;
  const torch::Tensor changed = net->forward(net->encode_input(changed_audio), mel);
  const torch::Tensor diff = (changed - base).abs().amax(1)[0];
  std::vector<int64_t> steps;
  for (int64_t i = 0; i < t; ++i) {
    if (diff[i].item<double>() > 0) steps.push_back(i);
  }
  return steps;
}

TEST(WaveNet, CausalWithMeasuredReceptiveField) {
  for (int kernel : {2, 3}) {
    torch::manual_seed(kernel);
    const ModelConfig m = small_model({"model.kernel_size=" + std::to_string(kernel), "model.input=raw",
                                       "model.output=gaussian"});
    WaveNet net(m, 80);
    net->eval();
    net->to(torch::kDouble);
    const int64_t t = 256, p = 100;
    const torch::Tensor mel = torch::randn({1, t / 16 + 4, 80}, torch::kDouble);
    const auto steps = affected_outputs(net, t, p, mel);
    ASSERT_FALSE(steps.empty());
    EXPECT_EQ(steps.front(), p) << "kernel " << kernel << ": an output saw a future input";
    EXPECT_EQ(steps.back(), p + net->receptive_field() - 1) << "kernel " << kernel;
  }
}

TEST(WaveNet, MelAndLabelsReachTheOutput) {
  torch::manual_seed(1);
  const ModelConfig m = small_model({"model.global_conditioning=true", "model.output=mol",
                                     "model.mixture_components=2"});
  WaveNet net(m, 80, /*n_labels=*/3);
  torch::NoGradGuard no_grad;
  const torch::Tensor input = net->encode_input(torch::zeros({1, 128}));
  const torch::Tensor mel = torch::randn({1, 8 + 4, 80});
  const torch::Tensor labels = torch::tensor({1}, torch::kLong);
  const torch::Tensor base = net->forward(input, mel, labels);
  EXPECT_FALSE(torch::allclose(base, net->forward(input, mel, torch::tensor({2}, torch::kLong))));
  torch::Tensor other_mel = mel.clone();
  other_mel[0][2 + 7] += 1.0;  // frame 7 (after 2 context frames) covers samples 112..127
  const torch::Tensor changed = net->forward(input, other_mel, labels);
  // The kernel-5 input conv spreads frame 7 over frames 5..9 (samples 80..), and the two
  // smoothing convs (scales 4, 4) by at most 4*4 + 4 = 20 samples more: nothing before 60.
  EXPECT_TRUE(torch::equal(changed.narrow(2, 0, 60), base.narrow(2, 0, 60)));
  EXPECT_FALSE(torch::allclose(changed.narrow(2, 112, 16), base.narrow(2, 112, 16)));
}

TEST(WaveNet, ParameterNamesFollowPyTorchConventions) {
  const ModelConfig m = small_model({"model.global_conditioning=true", "model.n_labels=2"});
  WaveNet net(m, 80);
  const auto names = net->named_parameters().keys();
  for (const std::string expected : {"first.weight_g", "first.weight_v", "first.bias",
                                     "blocks_0.dilated.weight_v", "blocks_5.local_projection.weight_g",
                                     "blocks_2.global_projection.weight_v", "blocks_1.skip.bias",
                                     "post_output.weight_v", "upsampler.input_conv.weight",
                                     "upsampler.upsample_0.weight", "label_embedding.weight"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  const ModelConfig plain = small_model({"model.weight_norm=false"});
  const auto plain_names = WaveNet(plain, 80)->named_parameters().keys();
  EXPECT_NE(std::find(plain_names.begin(), plain_names.end(), "blocks_0.dilated.weight"), plain_names.end());
}

TEST(WaveNet, MulawInputEqualsOneHotConvolution) {
  torch::manual_seed(2);
  const ModelConfig m = small_model({"model.input=mulaw", "model.local_conditioning=false"});
  WaveNet net(m, 80);
  torch::NoGradGuard no_grad;
  const torch::Tensor classes = torch::randint(0, 256, {2, 30}, torch::kLong);
  const torch::Tensor one_hot = torch::one_hot(classes, 256).to(torch::kFloat).transpose(1, 2);
  EXPECT_TRUE(torch::allclose(net->input_layer(classes), net->first->forward(one_hot), 1e-5, 1e-6));
}

TEST(WaveNet, GlobalConditioningWithoutLabelsIsAConfigError) {
  const ModelConfig m = small_model({"model.global_conditioning=true"});
  EXPECT_THROW(WaveNet(m, 80, 0), ConfigError);
}

}  // namespace
}  // namespace wn
