#include "dataio/resample.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/dataio/audio_fixtures.h"

namespace wn {
namespace {

// Frequency of a steady tone from its rising zero crossings, ignoring the filter's edges.
double measured_frequency(const std::vector<float>& x, int sample_rate) {
  const std::size_t edge = x.size() / 10;
  std::vector<double> crossings;
  for (std::size_t i = edge; i + 1 < x.size() - edge; ++i) {
    if (x[i] <= 0 && x[i + 1] > 0) crossings.push_back(i + x[i] / (x[i] - x[i + 1]));
  }
  const double periods = static_cast<double>(crossings.size() - 1);
  return periods * sample_rate / (crossings.back() - crossings.front());
}

TEST(Resample, KeepsToneFrequencyDown) {
  const auto in = test::sine(1000, 44100, 1.0);
  const auto out = resample(in, 44100, 22050);
  EXPECT_EQ(out.size(), 22050u);
  EXPECT_NEAR(measured_frequency(out, 22050), 1000.0, 0.5);
}

TEST(Resample, KeepsToneFrequencyUpByOddRatio) {
  const auto in = test::sine(440, 16000, 1.0);
  const auto out = resample(in, 16000, 22050);
  EXPECT_EQ(out.size(), 22050u);
  EXPECT_NEAR(measured_frequency(out, 22050), 440.0, 0.5);
  // A high-quality resampler keeps the amplitude (linear interpolation would too, but it would
  // also fail the alias test below).
  float peak = 0;
  for (std::size_t i = 2000; i < out.size() - 2000; ++i) peak = std::max(peak, std::fabs(out[i]));
  EXPECT_NEAR(peak, 0.5f, 0.01f);
}

TEST(Resample, RemovesContentAboveNewNyquist) {
  // 15 kHz at 44.1 kHz cannot exist at 22.05 kHz: it must be filtered, not folded to 7.05 kHz.
  const auto in = test::sine(15000, 44100, 0.5);
  const auto out = resample(in, 44100, 22050);
  double energy = 0;
  for (std::size_t i = 1000; i < out.size() - 1000; ++i) energy += out[i] * out[i];
  EXPECT_LT(std::sqrt(energy / (out.size() - 2000)), 1e-3);
}

TEST(Resample, SameRateIsIdentity) {
  const auto in = test::sine(100, 8000, 0.1);
  EXPECT_EQ(resample(in, 8000, 8000), in);
}

}  // namespace
}  // namespace wn
