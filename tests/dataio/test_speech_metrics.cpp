// The speech metrics against references: SPTK's command-line mel-cepstra and MCD (golden files
// from tests/golden/make_mcep_goldens.sh), and the pitch tracker on signals of known F0 and
// against SPTK's SWIPE' (tests/golden/make_f0_goldens.sh).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "dataio/mel_cepstrum.h"
#include "dataio/pitch.h"

namespace wn {
namespace {

const std::filesystem::path kGolden = std::filesystem::path(WAVENET_GOLDEN_DIR) / "mcep";

std::vector<float> read_floats(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::vector<float> values;
  float v;
  while (in.read(reinterpret_cast<char*>(&v), sizeof v)) values.push_back(v);
  return values;
}

std::vector<float> tone(double hz, double seconds, int rate, double amplitude = 0.5) {
  std::vector<float> x(static_cast<std::size_t>(seconds * rate));
  for (std::size_t t = 0; t < x.size(); ++t) x[t] = static_cast<float>(amplitude * std::sin(2 * M_PI * hz * t / rate));
  return x;
}

TEST(MelCepstrum, AllPassConstantForCommonRates) {
  EXPECT_DOUBLE_EQ(all_pass_alpha(16000), 0.41);
  EXPECT_DOUBLE_EQ(all_pass_alpha(22050), 0.455);
  EXPECT_DOUBLE_EQ(all_pass_alpha(44100), 0.544);
  EXPECT_DOUBLE_EQ(all_pass_alpha(48000), 0.554);
  const MelCepstrumSettings s = mel_cepstrum_settings(22050);
  EXPECT_EQ(s.frame_length, 1024);
  EXPECT_EQ(s.frame_period, 256);
}

TEST(MelCepstrum, EqualsSptksCommandLinePipeline) {
  MelCepstrumSettings s;  // the golden script's: order 24, alpha 0.455, 1024 / 256
  for (const char* name : {"reference", "generated"}) {
    const std::vector<float> audio = read_floats(kGolden / (std::string(name) + ".f32"));
    const std::vector<float> expected = read_floats(kGolden / (std::string(name) + ".mcep.f32"));
    const std::vector<double> got = mel_cepstra(audio, s);
    ASSERT_EQ(got.size(), expected.size()) << name << ": frames differ";
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - expected[i]));
    EXPECT_LT(worst, 1e-4) << name;  // the golden is float32
  }
}

TEST(MelCepstrum, DistortionEqualsSptksCdist) {
  MelCepstrumSettings s;
  const auto reference = mel_cepstra(read_floats(kGolden / "reference.f32"), s);
  const auto generated = mel_cepstra(read_floats(kGolden / "generated.f32"), s);
  std::ifstream in(kGolden / "mcd_db.txt");
  double expected = 0;
  ASSERT_TRUE(in >> expected);
  EXPECT_NEAR(mel_cepstral_distortion_db(reference, generated, s.order), expected, 1e-3);
  EXPECT_EQ(mel_cepstral_distortion_db(reference, reference, s.order), 0.0);
  // A mask picks frames: none gives 0, all gives the whole figure.
  const std::size_t frames = reference.size() / (s.order + 1);
  EXPECT_EQ(mel_cepstral_distortion_db(reference, generated, s.order, std::vector<bool>(frames, false)), 0.0);
  EXPECT_NEAR(mel_cepstral_distortion_db(reference, generated, s.order, std::vector<bool>(frames, true)), expected, 1e-3);
}

TEST(Pitch, PureTonesAreFoundWithinACoupleOfCents) {
  for (const double hz : {82.4, 110.0, 220.0, 330.0, 440.0}) {
    const std::vector<double> f0 = track_f0(tone(hz, 0.5, 22050), 22050, {});
    std::vector<double> voiced;
    for (std::size_t f = 2; f + 2 < f0.size(); ++f) {  // the edges see zero padding
      EXPECT_GT(f0[f], 0.0) << hz << " Hz, frame " << f;
      voiced.push_back(f0[f]);
    }
    for (double v : voiced) EXPECT_NEAR(1200 * std::log2(v / hz), 0.0, 3.0) << hz << " Hz";
  }
}

TEST(Pitch, SilenceAndNoiseAreUnvoiced) {
  for (double f : track_f0(std::vector<float>(11025, 0.0f), 22050, {})) EXPECT_EQ(f, 0.0);
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  std::vector<float> hiss(11025);
  for (float& v : hiss) v = noise(rng);
  const std::vector<double> f0 = track_f0(hiss, 22050, {});
  const auto voiced = std::count_if(f0.begin(), f0.end(), [](double f) { return f > 0; });
  EXPECT_LE(voiced, static_cast<long>(f0.size() / 10)) << "white noise has no pitch";
}

// A ladder rung for the tracker: SPTK's SWIPE' on a pulse train gliding from 120 to 220 Hz and
// then noise (golden from tests/golden/make_f0_goldens.sh).
TEST(Pitch, AgreesWithSptksSwipe) {
  const std::filesystem::path dir = std::filesystem::path(WAVENET_GOLDEN_DIR) / "f0";
  const std::vector<float> signal = read_floats(dir / "signal.f32"), swipe = read_floats(dir / "swipe_f0.f32");
  const std::vector<double> expected(swipe.begin(), swipe.end());
  const std::vector<double> ours = track_f0(signal, 22050, {});
  ASSERT_EQ(ours.size(), expected.size());
  const F0Comparison c = compare_f0(expected, ours);
  std::printf("against SWIPE': %.2f cents RMSE over %lld frames voiced in both, voicing differs in %.1f%%\n", c.rmse_cents,
              static_cast<long long>(c.voiced_in_both), 100 * c.voicing_error);
  EXPECT_GE(c.voiced_in_both, 50);
  EXPECT_LT(c.rmse_cents, 15.0);
  EXPECT_LT(c.voicing_error, 0.06);
}

// A fundamental at a known phase, with a DC offset and strong harmonics around it, is read back
// at every centre within a hundredth of a cycle.
TEST(Pitch, FundamentalPhaseOfAHarmonicSignal) {
  const int rate = 22050;
  const double hz = 137.0, phase = 0.3;
  std::vector<float> x(8000);
  for (std::size_t t = 0; t < x.size(); ++t) {
    const double cycles = hz * static_cast<double>(t) / rate + phase;
    x[t] = static_cast<float>(0.1 + 0.4 * std::cos(2 * M_PI * cycles) + 0.5 * std::cos(4 * M_PI * cycles + 1.0) +
                              0.3 * std::sin(6 * M_PI * cycles));
  }
  for (int64_t centre : {1000, 2345, 5000, 7000}) {
    const double expected = hz * static_cast<double>(centre) / rate + phase;
    double error = fundamental_phase(x, centre, hz, rate) - (expected - std::floor(expected));
    error -= std::round(error);
    EXPECT_LT(std::fabs(error), 0.01) << "centre " << centre;
  }
}

TEST(Pitch, ComparisonInCentsAndVoicing) {
  const std::vector<double> a = {100, 200, 0, 150}, octave_up = {200, 400, 0, 300}, half_voiced = {100, 0, 0, 0};
  F0Comparison c = compare_f0(a, octave_up);
  EXPECT_NEAR(c.rmse_cents, 1200.0, 1e-9);
  EXPECT_EQ(c.gross_error, 1.0);
  EXPECT_EQ(compare_f0(a, {110, 200, 0, 150}).gross_error, 0.0) << "10% is not a gross error";
  EXPECT_NEAR(compare_f0(a, {125, 200, 0, 150}).gross_error, 1.0 / 3, 1e-12) << "25% is";
  EXPECT_EQ(c.voicing_error, 0.0);
  EXPECT_EQ(c.voiced_in_both, 3);
  c = compare_f0(a, half_voiced);
  EXPECT_EQ(c.rmse_cents, 0.0);
  EXPECT_EQ(c.voicing_error, 0.5);
  EXPECT_TRUE(std::isnan(compare_f0({0, 0}, {0, 0}).rmse_cents));
}

}  // namespace
}  // namespace wn
