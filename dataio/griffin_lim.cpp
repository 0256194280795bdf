#include "dataio/griffin_lim.h"

#include <ATen/ATen.h>

#include <cmath>
#include <complex>
#include <random>

#include "dataio/mel.h"
#include "dataio/stft.h"

namespace wn {

std::vector<float> mel_to_linear_magnitude(const std::vector<float>& mel, const AudioConfig& a) {
  const MelFilterbank filterbank(a.sample_rate, a.n_fft, a.n_mels, a.fmin, a.fmax);
  const int bins = filterbank.bins();
  const int64_t frames = static_cast<int64_t>(mel.size()) / a.n_mels;
  const std::vector<float> dense = filterbank.dense();
  const at::Tensor fb = at::from_blob(const_cast<float*>(dense.data()), {a.n_mels, bins}, at::kFloat).to(at::kDouble);
  const at::Tensor inverse = at::linalg_pinv(fb);  // bins x n_mels
  at::Tensor m = at::empty({frames, a.n_mels}, at::kDouble);
  double* md = m.data_ptr<double>();
  for (int64_t i = 0; i < frames * a.n_mels; ++i) md[i] = decompress_mel(mel[static_cast<std::size_t>(i)], a);
  at::Tensor linear = at::matmul(m, inverse.t()).clamp_min(1e-10);  // frames x bins
  if (a.power == 2) linear = linear.sqrt();
  const at::Tensor out = linear.to(at::kFloat).contiguous();
  return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

double spectral_convergence(const std::vector<float>& audio, const std::vector<float>& magnitude,
                            const AudioConfig& c) {
  const Stft stft(c.n_fft, c.win_length, c.hop_length);
  const std::vector<double> estimate = stft.spectrogram(audio, 1);
  const std::size_t n = std::min(estimate.size(), magnitude.size());
  double error = 0, total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = estimate[i] - magnitude[i];
    error += d * d;
    total += static_cast<double>(magnitude[i]) * magnitude[i];
  }
  return std::sqrt(error / std::max(total, 1e-30));
}

std::vector<float> griffin_lim_from_mel(const std::vector<float>& mel, const AudioConfig& c,
                                        const GriffinLimOptions& options) {
  const std::vector<float> magnitude = mel_to_linear_magnitude(mel, c);
  const Stft stft(c.n_fft, c.win_length, c.hop_length);
  const int64_t frames = static_cast<int64_t>(mel.size()) / c.n_mels;
  const int64_t length = frames * c.hop_length;
  const std::size_t cells = magnitude.size();

  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> phase(0.0, 2.0 * M_PI);
  std::vector<std::complex<double>> estimate(cells), previous(cells, {0.0, 0.0});
  for (std::size_t i = 0; i < cells; ++i) estimate[i] = std::polar(static_cast<double>(magnitude[i]), phase(rng));

  std::vector<float> audio = stft.inverse(estimate, length);
  for (int it = 0; it < options.iterations; ++it) {
    std::vector<std::complex<double>> rebuilt = stft.complex_spectrogram(audio);
    rebuilt.resize(cells);
    // Keep the phase, impose the magnitude; "fast" GL extrapolates along the last change.
    for (std::size_t i = 0; i < cells; ++i) {
      const std::complex<double> projected = rebuilt[i];
      const std::complex<double> accelerated = projected + options.momentum * (projected - previous[i]);
      previous[i] = projected;
      const double norm = std::abs(accelerated);
      estimate[i] = norm > 1e-16 ? accelerated * (magnitude[i] / norm) : std::complex<double>(magnitude[i], 0.0);
    }
    audio = stft.inverse(estimate, length);
    if (options.on_iteration) options.on_iteration(it + 1, spectral_convergence(audio, magnitude, c));
  }
  return audio;
}

}  // namespace wn
