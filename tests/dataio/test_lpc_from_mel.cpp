// Linear prediction from mel frames: on a signal made by a known all-pole filter, the predictor
// fitted to its mel takes most of the signal's energy away; on white noise it takes none; every
// predictor is a stable filter; the compression of the mel does not matter.

#include "dataio/lpc_from_mel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "dataio/mel.h"

namespace wn {
namespace {

AudioConfig recipe(const std::string& compression = "log10") {
  AudioConfig audio;  // the presets' recipe: 22.05 kHz, n_fft 1024, hop 256, 80 mels from 125 Hz to 7.6 kHz
  audio.compression = compression;
  return audio;
}

// White noise through two resonances (700 Hz and 2.2 kHz): an order-4 all-pole process.
std::vector<float> resonant_noise(int rate, std::size_t length, double* excitation_power) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::vector<double> a;  // x[t] = e[t] + sum a[k] x[t-1-k]
  const double r1 = 0.97, w1 = 2 * M_PI * 700 / rate, r2 = 0.95, w2 = 2 * M_PI * 2200 / rate;
  const double p1[3] = {1, -2 * r1 * std::cos(w1), r1 * r1}, p2[3] = {1, -2 * r2 * std::cos(w2), r2 * r2};
  double poly[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) poly[i + j] += p1[i] * p2[j];
  }
  for (int k = 1; k <= 4; ++k) a.push_back(-poly[k]);
  std::vector<float> x(length, 0.0f);
  double power = 0;
  for (std::size_t t = 0; t < length; ++t) {
    const double e = noise(rng);
    power += e * e;
    double v = e;
    for (std::size_t k = 0; k < a.size() && k < t; ++k) v += a[k] * x[t - 1 - k];
    x[t] = static_cast<float>(v);
  }
  *excitation_power = power / length;
  return x;
}

// Mean squared prediction error over samples [begin, end) with one predictor.
double residual_power(const std::vector<float>& x, const std::vector<float>& c, std::size_t begin, std::size_t end) {
  double sum = 0;
  for (std::size_t t = begin; t < end; ++t) {
    double p = 0;
    for (std::size_t k = 0; k < c.size(); ++k) p += c[k] * x[t - 1 - k];
    sum += (x[t] - p) * (x[t] - p);
  }
  return sum / static_cast<double>(end - begin);
}

double power_of(const std::vector<float>& x, std::size_t begin, std::size_t end) {
  double sum = 0;
  for (std::size_t t = begin; t < end; ++t) sum += static_cast<double>(x[t]) * x[t];
  return sum / static_cast<double>(end - begin);
}

// The predictor of the mel frame centred on sample `centre`.
std::vector<float> predictor_at(const AudioConfig& audio, const std::vector<float>& x, std::size_t centre, int order) {
  const std::vector<float> mel = MelSpectrogram(audio).compressed(x);
  const MelToLpc lpc(audio, order);
  std::vector<float> c(order);
  lpc.coefficients(mel.data() + (centre / audio.hop_length) * audio.n_mels, c.data());
  return c;
}

TEST(MelToLpc, PredictsAnAllPoleProcessFromItsMel) {
  const AudioConfig audio = recipe();
  double excitation_power = 0;
  const std::vector<float> x = resonant_noise(audio.sample_rate, 22050, &excitation_power);
  const std::size_t centre = 11008, begin = centre - 512, end = centre + 512;
  const std::vector<float> c = predictor_at(audio, x, centre, 16);
  const double signal = power_of(x, begin, end);
  const double ideal_gain_db = 10 * std::log10(signal / excitation_power);
  const double gain_db = 10 * std::log10(signal / residual_power(x, c, begin, end));
  // The mel blurs the resonances (80 bands, none above 7.6 kHz), so the predictor gets less than
  // the true filter's gain, but most of it.
  EXPECT_GT(ideal_gain_db, 20.0);
  EXPECT_GT(gain_db, 0.6 * ideal_gain_db) << "ideal " << ideal_gain_db << " dB";
  EXPECT_LT(gain_db, ideal_gain_db + 0.5);
}

TEST(MelToLpc, LeavesWhiteNoiseAlone) {
  const AudioConfig audio = recipe();
  std::mt19937_64 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.1f);
  std::vector<float> x(22050);
  for (float& v : x) v = noise(rng);
  const std::vector<float> c = predictor_at(audio, x, 11008, 16);
  const double gain_db = 10 * std::log10(power_of(x, 10496, 11520) / residual_power(x, c, 10496, 11520));
  // The mel stops at 7.6 kHz and its bands are noisy estimates: a little colour, no more.
  EXPECT_LT(std::abs(gain_db), 1.0);
}

TEST(MelToLpc, EveryPredictorIsAStableFilter) {
  const AudioConfig audio = recipe();
  const MelToLpc lpc(audio, 24);
  std::mt19937_64 rng(11);
  std::normal_distribution<float> level(-2.0f, 1.5f);
  for (int frame = 0; frame < 20; ++frame) {
    std::vector<float> mel(audio.n_mels);
    for (float& v : mel) v = level(rng);
    if (frame == 0) std::fill(mel.begin(), mel.end(), std::log10(static_cast<float>(audio.log_floor)));  // silence
    std::vector<float> c(24);
    lpc.coefficients(mel.data(), c.data());
    // The synthesis filter's impulse response dies away.
    std::vector<double> y(8192, 0.0);
    double early = 0, late = 0;
    for (std::size_t t = 0; t < y.size(); ++t) {
      double v = t == 0 ? 1.0 : 0.0;
      for (std::size_t k = 0; k < c.size() && k < t; ++k) v += c[k] * y[t - 1 - k];
      y[t] = v;
      ASSERT_TRUE(std::isfinite(v)) << "frame " << frame;
      if (t < 1024) early += v * v;
      if (t >= 4096) late += v * v;
    }
    // Random bands make sharp resonances (poles near, never on, the unit circle): slow decay.
    EXPECT_LT(late, 1e-3 * early) << "frame " << frame;
  }
}

TEST(MelToLpc, TheCompressionDoesNotMatter) {
  double unused = 0;
  const std::vector<float> x = resonant_noise(22050, 8192, &unused);
  const std::vector<float> reference = predictor_at(recipe("log10"), x, 4096, 16);
  for (const char* compression : {"ln", "db"}) {
    const std::vector<float> c = predictor_at(recipe(compression), x, 4096, 16);
    for (int k = 0; k < 16; ++k) EXPECT_NEAR(c[k], reference[k], 2e-3) << compression << " tap " << k;
  }
}

TEST(MelToLpc, EnvelopePeaksAtATone) {
  const AudioConfig audio = recipe();
  std::vector<float> x(8192);
  for (std::size_t t = 0; t < x.size(); ++t) x[t] = 0.5f * std::sin(2 * M_PI * 1500.0 * t / audio.sample_rate);
  const std::vector<float> mel = MelSpectrogram(audio).compressed(x);
  const std::vector<double> envelope = MelToLpc(audio, 16).envelope(mel.data() + 16 * audio.n_mels);
  std::size_t peak = 0;
  for (std::size_t b = 1; b < envelope.size(); ++b) peak = envelope[b] > envelope[peak] ? b : peak;
  const double peak_hz = peak * audio.sample_rate / static_cast<double>(audio.n_fft);
  EXPECT_NEAR(peak_hz, 1500.0, 150.0);  // a mel band is ~130 Hz wide there
}

}  // namespace
}  // namespace wn
