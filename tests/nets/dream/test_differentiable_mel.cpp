// The differentiable log-mel against dataio's FFTW mel (the mel goldens' measure: relative error
// within 1e-5 on every bin above 1e-6 of the peak) on the golden signals, recorded speech-like
// audio (espeak-ng through the preprocessing recipe) and a harmonic tone, in both powers and
// every compression; and its gradients against finite differences.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dataio/features.h"
#include "dataio/mel.h"
#include "dataio/npy.h"
#include "nets/dream/differentiable_mel.h"
#include "tests/test_support.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name;
  AudioConfig audio;
  std::vector<float> signal;
};

std::vector<Case> golden_cases() {
  std::ifstream in(std::string(WAVENET_GOLDEN_DIR) + "/mel/params.txt");
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Case c;
    fields >> c.name >> c.audio.sample_rate >> c.audio.n_fft >> c.audio.win_length >> c.audio.hop_length >> c.audio.n_mels >>
        c.audio.fmin >> c.audio.fmax >> c.audio.power;
    c.signal = read_npy(std::string(WAVENET_GOLDEN_DIR) + "/mel/" + c.name + "_input.npy").data;
    cases.push_back(c);
  }
  return cases;
}

// espeak-ng speech at 22.05 kHz through the default recipe (trim, resample), as preprocess reads it.
Case speech_case(const fs::path& dir) {
  Case c;
  c.name = "espeak-ng speech";
  const fs::path wav = dir / "speech.wav";
  const std::string command = "espeak-ng -w '" + wav.string() + "' 'The quick brown fox jumps over the lazy dog.' 2>/dev/null";
  if (std::system(command.c_str()) != 0 || !fs::exists(wav)) return c;  // signal stays empty: reported below
  c.signal = extract_features(wav, c.audio, MelSpectrogram(c.audio)).audio;
  return c;
}

Case tone_case() {
  Case c;
  c.name = "harmonic tone, power 2, win 400 of 512";
  c.audio.sample_rate = 16000;
  c.audio.n_fft = 512;
  c.audio.win_length = 400;
  c.audio.hop_length = 160;
  c.audio.n_mels = 40;
  c.audio.power = 2;
  for (int t = 0; t < 8000; ++t) {
    double x = 0;
    for (int h = 1; h <= 12; ++h) x += 0.3 / h * std::sin(2 * M_PI * 220.0 * h * t / 16000.0);
    c.signal.push_back(static_cast<float>(x));
  }
  return c;
}

std::vector<float> to_floats(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kFloat).contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

TEST(DifferentiableMel, EqualsTheDataioMel) {
  test::TempDir dir;
  std::vector<Case> cases = golden_cases();
  ASSERT_GE(cases.size(), 3u) << "golden files missing";
  cases.push_back(speech_case(dir.path()));
  ASSERT_FALSE(cases.back().signal.empty()) << "espeak-ng could not speak (setup.sh installs it)";
  cases.push_back(tone_case());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const MelSpectrogram reference(c.audio);
    const DifferentiableMel ours(c.audio);
    const torch::Tensor signal = torch::tensor(c.signal, torch::kFloat).unsqueeze(0);
    const torch::Tensor linear = ours.mel_of(ours.spectrogram(signal));
    ASSERT_EQ(linear.scalar_type(), torch::kDouble);
    ASSERT_EQ(linear.size(1), reference.frames_for(static_cast<int64_t>(c.signal.size())));
    const std::vector<float> expected = reference.linear(c.signal);
    const torch::Tensor got = linear.reshape({-1});
    ASSERT_EQ(got.numel(), static_cast<int64_t>(expected.size()));
    const double* g = got.contiguous().data_ptr<double>();
    float peak = 0;
    for (float v : expected) peak = std::max(peak, v);
    double worst = 0;
    int64_t compared = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (expected[i] <= 1e-6 * peak) continue;  // 120 dB below the peak
      worst = std::max(worst, std::fabs(g[i] - expected[i]) / expected[i]);
      ++compared;
    }
    EXPECT_LT(worst, 1e-5);
    EXPECT_GT(compared, static_cast<int64_t>(expected.size()) / 4);
    std::printf("%s: %lld bins, worst relative error %.2e\n", c.name.c_str(), static_cast<long long>(compared), worst);

    // The compressed values, as shards store them, in every compression.
    for (const char* compression : {"log10", "ln", "db"}) {
      AudioConfig audio = c.audio;
      audio.compression = compression;
      const std::vector<float> want = MelSpectrogram(audio).compressed(c.signal);
      const std::vector<float> have = to_floats(DifferentiableMel(audio).compressed(signal));
      ASSERT_EQ(have.size(), want.size());
      double worst_log = 0;
      for (std::size_t i = 0; i < want.size(); ++i) {
        worst_log = std::max(worst_log, std::fabs(double(have[i]) - want[i]) / std::max(1.0, std::fabs(double(want[i]))));
      }
      EXPECT_LT(worst_log, 1e-5) << compression;
    }
  }
}

TEST(DifferentiableMel, GradientsMatchFiniteDifferences) {
  AudioConfig audio;
  audio.sample_rate = 8000;
  audio.n_fft = 64;
  audio.win_length = 48;
  audio.hop_length = 16;
  audio.n_mels = 8;
  audio.fmin = 50;
  audio.fmax = 3500;
  for (const int power : {1, 2}) {
    SCOPED_TRACE("power " + std::to_string(power));
    audio.power = power;
    const DifferentiableMel mel(audio);
    torch::manual_seed(5);
    const torch::Tensor x = (0.3 * torch::randn({1, 200}, torch::kDouble)).set_requires_grad(true);
    const torch::Tensor weights = torch::randn({1, 1 + 200 / 16, 8}, torch::kDouble);
    auto objective = [&](const torch::Tensor& audio_in) { return (mel.compressed(audio_in) * weights).sum(); };
    objective(x).backward();
    const torch::Tensor grad = x.grad();
    torch::NoGradGuard no_grad;
    for (const int64_t i : {0, 3, 31, 100, 177, 199}) {  // the reflected edges and the middle
      const double eps = 1e-6;
      torch::Tensor up = x.detach().clone(), down = x.detach().clone();
      up[0][i] += eps;
      down[0][i] -= eps;
      const double numeric = (objective(up).item<double>() - objective(down).item<double>()) / (2 * eps);
      EXPECT_NEAR(grad[0][i].item<double>(), numeric, 1e-5 * std::max(1.0, std::fabs(numeric))) << "sample " << i;
    }
  }
}

TEST(DifferentiableMel, SeenBinsAreTheFilterbanksSpan) {
  AudioConfig audio;
  audio.sample_rate = 16000;
  audio.n_fft = 512;
  audio.win_length = 512;
  audio.n_mels = 40;
  audio.fmin = 300;
  audio.fmax = 4000;
  const torch::Tensor seen = DifferentiableMel(audio).seen_bins();
  ASSERT_EQ(seen.numel(), 257);
  const double bin_hz = 16000.0 / 512;
  for (int b = 0; b < 257; ++b) {
    const double hz = b * bin_hz;
    if (hz < 300 - bin_hz || hz > 4000 + bin_hz) {
      EXPECT_FALSE(seen[b].item<bool>()) << "bin " << b;
    } else if (hz > 300 + bin_hz && hz < 4000 - bin_hz) {
      EXPECT_TRUE(seen[b].item<bool>()) << "bin " << b;
    }
  }
}

}  // namespace
}  // namespace wn
