// The named mel recipes against each project's computation (torchaudio goldens,
// tests/golden/make_mel_recipe_goldens.py), and conversion between recipes: exact where the
// filterbanks agree, close through the non-negative least-squares inverse where they do not.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "core/errors.h"
#include "dataio/mel.h"
#include "dataio/mel_conversion.h"
#include "dataio/mel_recipe.h"
#include "dataio/npy.h"
#include "tests/test_support.h"

namespace wn {
namespace {

const std::string kGoldens = std::string(WAVENET_GOLDEN_DIR) + "/mel_recipes/";

std::vector<float> golden_input(const std::string& recipe) { return read_npy(kGoldens + recipe + "_input.npy").data; }

class MelRecipeGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(MelRecipeGolden, EqualsTheProjectsOwnLogMel) {
  const MelRecipe recipe = named_mel_recipe(GetParam());
  const NpyArray golden = read_npy(kGoldens + GetParam() + "_logmel.npy");
  const std::vector<float> ours = MelSpectrogram(recipe.audio).compressed(golden_input(GetParam()));
  ASSERT_EQ(ours.size(), golden.data.size());
  ASSERT_EQ(golden.shape[1], recipe.audio.n_mels);
  double worst = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(ours[i]) - golden.data[i]));
  // 1e-5 relative in the magnitude is 4.3e-6 in log10 units and 1e-5 in natural-log units.
  EXPECT_LT(worst, 2e-5) << GetParam();
  std::printf("%s: worst |ours - golden| %.2e log units\n", GetParam(), worst);
}

INSTANTIATE_TEST_SUITE_P(Recipes, MelRecipeGolden, ::testing::Values("r9y9", "tacotron2", "espnet"));

TEST(MelRecipe, NamesAndNormalisers) {
  EXPECT_EQ(test::error_message<UserError>([] { named_mel_recipe("librosa"); }),
            "unknown mel recipe 'librosa': one of r9y9, tacotron2, espnet (NAME:MEANVAR.npy adds its normaliser)");
  test::TempDir dir;
  std::vector<float> meanvar(160);
  for (int b = 0; b < 80; ++b) {
    meanvar[b] = -3.0f + 0.02f * b;
    meanvar[80 + b] = 0.5f + 0.01f * b;
  }
  write_npy(dir / "mv.npy", meanvar, {2, 80});
  const MelRecipe r = mel_recipe_from_spec("r9y9:" + (dir / "mv.npy").string());
  EXPECT_EQ(r.mean.size(), 80u);
  EXPECT_FLOAT_EQ(static_cast<float>(r.scale[79]), 0.5f + 0.79f);
  write_npy(dir / "bad.npy", meanvar, {160});
  EXPECT_EQ(test::error_message<UserError>([&] { mel_recipe_from_spec("espnet:" + (dir / "bad.npy").string()); }),
            (dir / "bad.npy").string() + ": a mel normaliser must be (2, 80): mean row, scale row");
}

TEST(MelConversion, SameFilterbankIsExactThroughLogAndNormaliser) {
  MelRecipe from = named_mel_recipe("r9y9");
  from.mean.assign(80, -2.5);
  from.scale.assign(80, 0.75);
  MelRecipe to = from;
  to.name = "r9y9 in dB";
  to.mean.clear();
  to.scale.clear();
  to.audio.compression = "db";
  const std::vector<float> audio = golden_input("r9y9");
  std::vector<float> given = MelSpectrogram(from.audio).compressed(audio);
  for (std::size_t i = 0; i < given.size(); ++i) given[i] = static_cast<float>((given[i] - from.mean[i % 80]) / from.scale[i % 80]);
  const MelConverter converter(from, to);
  ASSERT_TRUE(converter.exact());
  const ConvertedMel out = converter.convert(given);
  const std::vector<float> expected = MelSpectrogram(to.audio).compressed(audio);
  ASSERT_EQ(out.mel.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_NEAR(out.mel[i], expected[i], 1e-3) << i;  // dB units
  EXPECT_EQ(out.fit_error_db, 0.0);
}

// r9y9's mel (125-7600 Hz, log10) to Tacotron 2's (0-8000 Hz, ln) of the same audio.
TEST(MelConversion, AnotherBandGoesThroughTheSpectrum) {
  const MelRecipe from = named_mel_recipe("r9y9"), to = named_mel_recipe("tacotron2");
  const MelConverter converter(from, to);
  ASSERT_FALSE(converter.exact());
  const std::vector<float> audio = golden_input("r9y9");
  const ConvertedMel out = converter.convert(MelSpectrogram(from.audio).compressed(audio));
  const std::vector<float> truth = MelSpectrogram(to.audio).compressed(audio);
  ASSERT_EQ(out.mel.size(), truth.size());
  // Tacotron 2's bands inside r9y9's band (125-7600 Hz) are where the information is.
  const MelFilterbank bank(22050, 1024, 80, 0.0, 8000.0);
  const std::vector<float> dense = bank.dense();
  double sum = 0, sum_all = 0;
  int counted = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double d = std::fabs(static_cast<double>(out.mel[i]) - truth[i]);
    sum_all += d;
    const int band = static_cast<int>(i % 80);
    const double centre_hz = [&] {
      double weighted = 0, total = 0;
      for (int b = 0; b < bank.bins(); ++b) {
        weighted += dense[static_cast<std::size_t>(band) * bank.bins() + b] * b * 22050.0 / 1024.0;
        total += dense[static_cast<std::size_t>(band) * bank.bins() + b];
      }
      return weighted / total;
    }();
    if (centre_hz > 200 && centre_hz < 7400) {
      sum += d;
      ++counted;
    }
  }
  const double inside = sum / counted, overall = sum_all / static_cast<double>(truth.size());
  std::printf("r9y9 -> tacotron2: fit %.3f dB; mean |converted - tacotron2's own| %.3f nats inside r9y9's band, %.3f overall\n",
              out.fit_error_db, inside, overall);
  EXPECT_LT(out.fit_error_db, 0.5);
  EXPECT_LT(inside, 0.15);  // 0.15 nats = 1.3 dB
  EXPECT_LT(overall, 0.5);
}

// The way back, Tacotron 2's mels to r9y9's, against the one-line fix users apply (multiply the
// natural log by log10(e), ignoring the band): the conversion must be several times closer.
TEST(MelConversion, BeatsRescalingTheLogAlone) {
  const MelRecipe from = named_mel_recipe("tacotron2"), to = named_mel_recipe("r9y9");
  const std::vector<float> audio = golden_input("tacotron2");
  const std::vector<float> given = MelSpectrogram(from.audio).compressed(audio);
  const std::vector<float> truth = MelSpectrogram(to.audio).compressed(audio);
  const ConvertedMel out = MelConverter(from, to).convert(given);
  double converted = 0, rescaled = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    converted += std::fabs(static_cast<double>(out.mel[i]) - truth[i]);
    rescaled += std::fabs(given[i] / std::log(10.0) - truth[i]);
  }
  converted /= static_cast<double>(truth.size());
  rescaled /= static_cast<double>(truth.size());
  std::printf("tacotron2 -> r9y9: mean |converted - r9y9's own| %.4f log10 units (%.2f dB); log rescaled alone %.4f (%.2f dB)\n",
              converted, 20 * converted, rescaled, 20 * rescaled);
  EXPECT_LT(converted, 0.05);
  EXPECT_LT(converted * 3, rescaled);
}

TEST(MelConversion, OtherFrameRatesAndRaggedRowsAreRefused) {
  MelRecipe other = named_mel_recipe("espnet");
  other.audio.hop_length = 200;
  EXPECT_EQ(test::error_message<UserError>([&] { MelConverter(named_mel_recipe("r9y9"), other); }),
            "mels of r9y9 (22050 Hz, hop 256) and espnet (22050 Hz, hop 200) have different frame rates; make the mels again from "
            "the audio");
  const MelConverter converter(named_mel_recipe("r9y9"), named_mel_recipe("espnet"));
  EXPECT_EQ(test::error_message<UserError>([&] { converter.convert(std::vector<float>(81, 0.0f)); }),
            "a mel of 81 values is not whole rows of 80 bands (r9y9)");
}

}  // namespace
}  // namespace wn
