// The STFT against a direct DFT, the mel filterbank's shape, and the whole log-mel against
// torchaudio goldens (tests/golden/make_mel_goldens.py).

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <fstream>
#include <random>
#include <sstream>

#include "dataio/mel.h"
#include "dataio/npy.h"
#include "dataio/stft.h"

namespace wn {
namespace {

TEST(Stft, PeriodicHann) {
  const auto w = periodic_hann(8);
  EXPECT_DOUBLE_EQ(w[0], 0.0);
  EXPECT_DOUBLE_EQ(w[4], 1.0);
  EXPECT_NEAR(w[2], 0.5, 1e-15);
  EXPECT_NEAR(w[7], w[1], 1e-15) << "periodic: symmetric about n = N/2";
}

TEST(Stft, MatchesDirectDftWithReflectPadding) {
  const int n_fft = 16, win = 12, hop = 4;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  std::vector<float> x(37);
  for (float& v : x) v = normal(rng);
  const Stft stft(n_fft, win, hop);
  const auto spec = stft.spectrogram(x, 1);
  const auto power = stft.spectrogram(x, 2);
  const int64_t frames = stft.frames_for(37);
  ASSERT_EQ(frames, 1 + 37 / 4);
  ASSERT_EQ(spec.size(), static_cast<std::size_t>(frames * 9));

  // Reference: numpy-style reflect pad, centred window of `win` inside n_fft, plain DFT.
  const int pad = n_fft / 2;
  auto padded_at = [&](int i) {  // index into the padded signal
    int j = i - pad;
    if (j < 0) j = -j;
    if (j >= 37) j = 2 * 36 - j;
    return static_cast<double>(x[j]);
  };
  std::vector<double> window(n_fft, 0.0);
  for (int i = 0; i < win; ++i) window[(n_fft - win) / 2 + i] = 0.5 - 0.5 * std::cos(2 * M_PI * i / win);
  for (int64_t f = 0; f < frames; ++f) {
    for (int k = 0; k <= n_fft / 2; ++k) {
      std::complex<double> sum = 0;
      for (int n = 0; n < n_fft; ++n) {
        sum += padded_at(static_cast<int>(f * hop) + n) * window[n] *
               std::polar(1.0, -2 * M_PI * k * n / n_fft);
      }
      EXPECT_NEAR(spec[f * 9 + k], std::abs(sum), 1e-9) << "frame " << f << " bin " << k;
      EXPECT_NEAR(power[f * 9 + k], std::norm(sum), 1e-8) << "frame " << f << " bin " << k;
    }
  }
}

TEST(Stft, TooShortIsAnError) {
  const Stft stft(64, 64, 16);
  EXPECT_THROW(stft.spectrogram(std::vector<float>(32, 0.1f), 1), std::invalid_argument);
  EXPECT_NO_THROW(stft.spectrogram(std::vector<float>(33, 0.1f), 1));
}

TEST(MelScale, SlaneyKnownPointsAndInverse) {
  EXPECT_DOUBLE_EQ(hz_to_mel_slaney(0), 0.0);
  EXPECT_NEAR(hz_to_mel_slaney(1000), 15.0, 1e-12);
  EXPECT_NEAR(hz_to_mel_slaney(200), 3.0, 1e-12);
  EXPECT_NEAR(hz_to_mel_slaney(6400), 15.0 + 27.0, 1e-9);  // one log step of 6.4x = 27 mels
  for (double hz : {50.0, 999.0, 1000.0, 4321.0, 11025.0}) {
    EXPECT_NEAR(mel_to_hz_slaney(hz_to_mel_slaney(hz)), hz, 1e-9);
  }
}

TEST(MelFilterbank, ShapeAndAreaNormalisation) {
  const int sr = 22050, n_fft = 4096, n_mels = 40;
  const MelFilterbank fb(sr, n_fft, n_mels, 125, 7600);
  const auto dense = fb.dense();
  ASSERT_EQ(dense.size(), static_cast<std::size_t>(n_mels * (n_fft / 2 + 1)));
  const double bin_hz = static_cast<double>(sr) / n_fft;
  for (int m = 0; m < n_mels; ++m) {
    double area = 0;
    int nonzero = 0;
    for (int b = 0; b <= n_fft / 2; ++b) {
      const float w = dense[static_cast<std::size_t>(m * (n_fft / 2 + 1) + b)];
      EXPECT_GE(w, 0.0f);
      area += w * bin_hz;
      nonzero += w > 0;
      if (b * bin_hz < 125.0 - bin_hz || b * bin_hz > 7600.0 + bin_hz) {
        EXPECT_EQ(w, 0.0f) << "filter " << m << " reaches outside [fmin, fmax] at bin " << b;
      }
    }
    // Slaney normalisation: each triangle has unit area in Hz (up to sampling of the bins).
    EXPECT_NEAR(area, 1.0, 0.1) << "filter " << m;
    EXPECT_GT(nonzero, 0);
  }
  // Sparse application equals the dense product.
  std::vector<double> spectrum(n_fft / 2 + 1);
  for (std::size_t b = 0; b < spectrum.size(); ++b) spectrum[b] = std::sin(0.01 * b) + 1.5;
  std::vector<float> mel(n_mels);
  fb.apply(spectrum.data(), mel.data());
  for (int m = 0; m < n_mels; ++m) {
    double expected = 0;
    for (int b = 0; b <= n_fft / 2; ++b) expected += dense[static_cast<std::size_t>(m * (n_fft / 2 + 1) + b)] * spectrum[b];
    EXPECT_NEAR(mel[m], expected, 1e-4 * std::fabs(expected));
  }
}

struct GoldenSet {
  std::string name;
  AudioConfig audio;
};

std::vector<GoldenSet> golden_sets() {
  std::ifstream in(std::string(WAVENET_GOLDEN_DIR) + "/mel/params.txt");
  std::vector<GoldenSet> sets;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    GoldenSet s;
    int samples = 0;
    fields >> s.name >> s.audio.sample_rate >> s.audio.n_fft >> s.audio.win_length >>
        s.audio.hop_length >> s.audio.n_mels >> s.audio.fmin >> s.audio.fmax >> s.audio.power >> samples;
    sets.push_back(s);
  }
  return sets;
}

TEST(MelGolden, MatchesTorchaudioSlaneyMel) {
  const auto sets = golden_sets();
  ASSERT_GE(sets.size(), 2u) << "golden files missing: run tests/golden/make_mel_goldens.py";
  for (const auto& set : sets) {
    SCOPED_TRACE(set.name);
    const std::string base = std::string(WAVENET_GOLDEN_DIR) + "/mel/" + set.name;
    const NpyArray input = read_npy(base + "_input.npy");
    const NpyArray expected = read_npy(base + "_mel.npy");
    const MelSpectrogram mel(set.audio);
    const auto ours = mel.linear(input.data);
    ASSERT_EQ(expected.shape.size(), 2u);
    EXPECT_EQ(mel.frames_for(static_cast<int64_t>(input.data.size())), expected.shape[0]);
    ASSERT_EQ(ours.size(), expected.data.size());
    float peak = 0;
    for (float v : expected.data) peak = std::max(peak, v);
    double worst_normalised = 0, worst_relative = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      const double diff = std::fabs(double(ours[i]) - expected.data[i]);
      worst_normalised = std::max(worst_normalised, diff / peak);
      // Element-wise relative error on every bin above 1e-6 of the peak (120 dB down; quieter
      // bins sit far below the log floor anyway).
      if (expected.data[i] > 1e-6 * peak) worst_relative = std::max(worst_relative, diff / expected.data[i]);
    }
    EXPECT_LT(worst_normalised, 1e-5);
    EXPECT_LT(worst_relative, 1e-5);
    std::printf("%s: max |error| %.2e of peak, %.2e relative\n", set.name.c_str(), worst_normalised, worst_relative);
    // And the compressed (log10) values, as stored in shards.
    const auto logs = mel.compressed(input.data);
    for (std::size_t i = 0; i < logs.size(); i += 7) {
      EXPECT_NEAR(logs[i], std::log10(std::max(1e-5, double(expected.data[i]))), 1e-4);
    }
  }
}

TEST(MelSpectrogram, CompressionsAndSilence) {
  AudioConfig config;
  config.compression = "db";
  EXPECT_NEAR(MelSpectrogram(config).silence_value(), -100.0f, 1e-4);  // 20 log10(1e-5)
  config.compression = "ln";
  EXPECT_NEAR(MelSpectrogram(config).silence_value(), std::log(1e-5), 1e-4);
  config.compression = "log10";
  EXPECT_NEAR(MelSpectrogram(config).silence_value(), -5.0f, 1e-5);
}

}  // namespace
}  // namespace wn
