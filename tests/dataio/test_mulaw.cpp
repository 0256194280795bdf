#include "dataio/mulaw.h"
#include "dataio/quantization.h"

#include <gtest/gtest.h>

#include <cmath>

namespace wn {
namespace {

TEST(MuLaw, EveryClassRoundTripsExactly) {
  for (int mu : {255, 127, 15, 65535}) {
    for (int32_t index = 0; index <= mu; ++index) {
      ASSERT_EQ(mulaw_encode(mulaw_decode(index, mu), mu), index) << "mu " << mu;
    }
  }
}

// r9y9's models (nnmnkwii's mulaw_quantize): the companded value's level truncated, not rounded.
TEST(MuLawFloor, TruncatesAsNnmnkwiiAndDecodedLevelsComeBack) {
  for (float x : {-1.0f, -0.5f, -0.01f, 0.0f, 0.003f, 0.2f, 0.999f, 1.0f}) {
    const double position = (std::log1p(255.0 * std::abs(x)) / std::log1p(255.0) * (x < 0 ? -1 : 1) + 1.0) / 2.0 * 255.0;
    EXPECT_EQ(quantize_sample(x, 256, Quantization::mulaw_floor), static_cast<int32_t>(position)) << x;
  }
  EXPECT_EQ(quantize_sample(0.0f, 256, Quantization::mulaw_floor), 127);  // 127.5 truncated; mulaw rounds to 128
  for (int classes : {256, 65536}) {
    for (int32_t level = 0; level < classes; ++level) {
      const float decoded = dequantize_sample(level, classes, Quantization::mulaw_floor);
      ASSERT_EQ(quantize_sample(decoded, classes, Quantization::mulaw_floor), level) << classes;
      // Inside its bin, a thousandth of a level above the edge nnmnkwii decodes to (plus float rounding).
      ASSERT_NEAR(mulaw_compress(decoded, classes - 1), std::min(1.0, 2.0 * level / (classes - 1) - 1.0), 2.0 / (classes - 1) * 2e-3 + 2e-7);
    }
  }
}

TEST(MuLaw, ContinuousRoundTrip) {
  for (float x = -1.0f; x <= 1.0f; x += 0.001f) {
    EXPECT_NEAR(mulaw_expand(mulaw_compress(x)), x, 1e-6f);
  }
}

TEST(MuLaw, KnownValues) {
  EXPECT_EQ(mulaw_encode(0.0f), 128);  // round(127.5) under round-half-away-from-zero
  EXPECT_EQ(mulaw_encode(-1.0f), 0);
  EXPECT_EQ(mulaw_encode(1.0f), 255);
  EXPECT_EQ(mulaw_encode(5.0f), 255) << "out-of-range samples clamp";
  // sign(x) ln(1 + 255|x|) / ln(256) at x = 0.5.
  EXPECT_NEAR(mulaw_compress(0.5f), std::log(1.0 + 127.5) / std::log(256.0), 1e-6);
  EXPECT_FLOAT_EQ(mulaw_compress(-0.5f), -mulaw_compress(0.5f));
}

TEST(MuLaw, QuantisationErrorIsSmallNearZero) {
  // Mu-law spends its classes near zero: small samples come back far more precisely than large.
  const float small = 0.01f, large = 0.9f;
  const float small_error = std::fabs(mulaw_decode(mulaw_encode(small)) - small);
  const float large_error = std::fabs(mulaw_decode(mulaw_encode(large)) - large);
  EXPECT_LT(small_error, 0.001f);
  EXPECT_LT(small_error, large_error);
}

TEST(MuLaw, VectorFormsMatchScalar) {
  const std::vector<float> samples = {-0.7f, -0.01f, 0.0f, 0.2f, 0.99f};
  const auto encoded = mulaw_encode(samples);
  const auto decoded = mulaw_decode(encoded);
  ASSERT_EQ(encoded.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(encoded[i], mulaw_encode(samples[i]));
    EXPECT_EQ(decoded[i], mulaw_decode(encoded[i]));
  }
}

}  // namespace
}  // namespace wn
