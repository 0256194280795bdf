// Output distributions: losses against independent goldens (tests/golden/make_loss_goldens.py),
// and samplers whose empirical distributions match their parameters.

#include "nets/outputs/output_distribution.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dataio/mulaw.h"
#include "dataio/npy.h"
#include "nets/quantize_tensor.h"

namespace wn {
namespace {

torch::Tensor load(const std::string& name) {
  const NpyArray a = read_npy(std::string(WAVENET_GOLDEN_DIR) + "/loss/" + name + ".npy");
  return torch::from_blob(const_cast<float*>(a.data.data()), a.shape, torch::kFloat).clone();
}

double golden_loss(const std::string& name) {
  return load(name + "_loss").item<double>();
}

ModelConfig model_for(const std::string& output, int classes, int components, double log_scale_min) {
  ModelConfig m;
  m.output = output;
  m.quantize_channels = classes;
  m.mixture_components = components;
  m.log_scale_min = log_scale_min;
  return m;
}

void expect_golden(const OutputDistribution& d, const std::string& name, double relative) {
  const torch::Tensor out = load(name + "_out");
  const torch::Tensor target = load(name + "_target");
  ASSERT_EQ(out.size(1), d.channels()) << name;
  const double loss = d.loss(out, target).item<double>();
  const double expected = golden_loss(name);
  EXPECT_NEAR(loss, expected, relative * std::fabs(expected)) << name;
}

TEST(OutputLoss, SoftmaxMatchesCrossEntropyGolden) {
  expect_golden(*make_softmax_output(model_for("softmax", 256, 0, -7)), "softmax256", 1e-6);
}

TEST(OutputLoss, GaussianMatchesTorchDistributionsGolden) {
  expect_golden(*make_gaussian_output(model_for("gaussian", 0, 0, -7)), "gaussian_min-7", 1e-6);
  expect_golden(*make_gaussian_output(model_for("gaussian", 0, 0, -2)), "gaussian_min-2", 1e-6);
}

TEST(OutputLoss, MixtureOfLogisticsMatchesDefinitionGolden) {
  // The loss follows PixelCNN++ / r9y9 numerics: the bin mass is a difference of two float32
  // sigmoids (cancellation on improbable bins), and below 1e-5 of mass the density at the bin
  // centre stands in for the mass. The float64 exact-mass golden agrees to ~5e-5 relative.
  expect_golden(*make_mol_output(model_for("mol", 256, 10, -7)), "mol10_levels256", 1e-4);
  expect_golden(*make_mol_output(model_for("mol", 65536, 3, -7)), "mol3_levels65536", 1e-4);
}

TEST(OutputLoss, FactoryFollowsConfig) {
  EXPECT_EQ(make_output_distribution(model_for("softmax", 256, 10, -7))->channels(), 256);
  EXPECT_EQ(make_output_distribution(model_for("mol", 256, 10, -7))->channels(), 30);
  EXPECT_EQ(make_output_distribution(model_for("gaussian", 256, 10, -7))->channels(), 2);
}

TEST(MulawTensor, MatchesScalarMulaw) {
  const torch::Tensor x = torch::linspace(-1.2, 1.2, 2001);
  const torch::Tensor classes = mulaw_encode_tensor(x, 256);
  const torch::Tensor back = mulaw_decode_tensor(classes, 256);
  for (int64_t i = 0; i < x.size(0); ++i) {
    ASSERT_EQ(classes[i].item<int64_t>(), mulaw_encode(x[i].item<float>(), 255)) << x[i].item<float>();
    ASSERT_NEAR(back[i].item<float>(), mulaw_decode(classes[i].item<int32_t>(), 255), 1e-6);
  }
}

constexpr int kDraws = 40000;

TEST(OutputSampling, SoftmaxFrequenciesMatchProbabilities) {
  const auto d = make_softmax_output(model_for("softmax", 4, 0, -7));
  const torch::Tensor logits = torch::tensor({0.0f, 1.0f, -1.0f, 0.5f}).repeat({kDraws, 1});
  torch::Generator gen = at::detail::createCPUGenerator(42);
  const torch::Tensor samples = d->sample(logits, 1.0, gen);
  const torch::Tensor classes = mulaw_encode_tensor(samples, 4);
  const torch::Tensor probs = torch::softmax(logits[0], 0);
  for (int c = 0; c < 4; ++c) {
    const double freq = (classes == c).sum().item<double>() / kDraws;
    EXPECT_NEAR(freq, probs[c].item<double>(), 0.01) << "class " << c;
  }
  // Lower temperature concentrates on the most likely class.
  const double cold = (mulaw_encode_tensor(d->sample(logits, 0.3, gen), 4) == 1).sum().item<double>() / kDraws;
  EXPECT_GT(cold, probs[1].item<double>() + 0.2);
}

TEST(OutputSampling, GaussianMomentsMatch) {
  const auto d = make_gaussian_output(model_for("gaussian", 0, 0, -7));
  const torch::Tensor out = torch::tensor({0.2f, std::log(0.1f)}).repeat({kDraws, 1});
  torch::Generator gen = at::detail::createCPUGenerator(7);
  const torch::Tensor s = d->sample(out, 1.0, gen);
  EXPECT_NEAR(s.mean().item<double>(), 0.2, 0.003);
  EXPECT_NEAR(s.std().item<double>(), 0.1, 0.003);
  EXPECT_NEAR(d->sample(out, 0.5, gen).std().item<double>(), 0.05, 0.002);
}

TEST(OutputSampling, MixtureOfLogisticsPicksComponentsAndSpreads) {
  const auto d = make_mol_output(model_for("mol", 65536, 2, -7));
  // Two components: weights softmax(0, ln 3) = 1/4, 3/4; means -0.5, 0.5; scale 0.02.
  const float s = std::log(0.02f);
  const torch::Tensor out = torch::tensor({0.0f, std::log(3.0f), -0.5f, 0.5f, s, s}).repeat({kDraws, 1});
  torch::Generator gen = at::detail::createCPUGenerator(3);
  const torch::Tensor x = d->sample(out, 1.0, gen);
  const double right = (x > 0).sum().item<double>() / kDraws;
  EXPECT_NEAR(right, 0.75, 0.01);
  const torch::Tensor near_right = x.masked_select(x > 0);
  EXPECT_NEAR(near_right.mean().item<double>(), 0.5, 0.002);
  // Logistic standard deviation is scale * pi / sqrt(3).
  EXPECT_NEAR(near_right.std().item<double>(), 0.02 * M_PI / std::sqrt(3.0), 0.002);
}

}  // namespace
}  // namespace wn
