#include "dataio/stft.h"

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

namespace wn {
namespace {

// FFTW's planner is not thread-safe; executing a finished plan on new arrays is.
std::mutex& planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct FftwFree {
  void operator()(void* p) const { fftw_free(p); }
};
template <class T>
using FftwBuffer = std::unique_ptr<T[], FftwFree>;

}  // namespace

struct Stft::Plan {
  fftw_plan plan = nullptr;     // r2c
  fftw_plan inverse = nullptr;  // c2r
};

std::vector<double> periodic_hann(int length) {
  std::vector<double> w(static_cast<std::size_t>(length));
  for (int n = 0; n < length; ++n) w[n] = 0.5 - 0.5 * std::cos(2.0 * M_PI * n / length);
  return w;
}

Stft::Stft(int n_fft, int win_length, int hop_length)
    : n_fft_(n_fft), hop_(hop_length), window_(n_fft, 0.0), plan_(std::make_unique<Plan>()) {
  if (n_fft < 2 || win_length < 1 || win_length > n_fft || hop_length < 1) {
    throw std::invalid_argument("Stft: need 1 <= win_length <= n_fft and hop_length >= 1");
  }
  const std::vector<double> hann = periodic_hann(win_length);
  const int offset = (n_fft - win_length) / 2;
  for (int i = 0; i < win_length; ++i) window_[offset + i] = hann[i];

  FftwBuffer<double> in(static_cast<double*>(fftw_malloc(sizeof(double) * n_fft)));
  FftwBuffer<fftw_complex> out(
      static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * bins())));
  std::lock_guard<std::mutex> lock(planner_mutex());
  plan_->plan = fftw_plan_dft_r2c_1d(n_fft, in.get(), out.get(), FFTW_ESTIMATE);
  plan_->inverse = fftw_plan_dft_c2r_1d(n_fft, out.get(), in.get(), FFTW_ESTIMATE);
  if (!plan_->plan || !plan_->inverse) throw std::runtime_error("FFTW could not plan an FFT of size " + std::to_string(n_fft));
}

Stft::~Stft() {
  std::lock_guard<std::mutex> lock(planner_mutex());
  if (plan_->plan) fftw_destroy_plan(plan_->plan);
  if (plan_->inverse) fftw_destroy_plan(plan_->inverse);
}

// Runs per_frame(frame_index, spectrum) for every centred, windowed frame of `audio`.
template <class PerFrame>
void Stft::for_each_frame(const std::vector<float>& audio, PerFrame&& per_frame) const {
  const auto n = static_cast<int64_t>(audio.size());
  const int pad = n_fft_ / 2;
  if (n <= pad) {
    throw std::invalid_argument("audio of " + std::to_string(n) + " samples is shorter than " +
                                std::to_string(pad + 1) + " (half an FFT frame plus one)");
  }
  // Reflect padding without repeating the edge sample: x[-k] = x[k], x[n-1+k] = x[n-1-k].
  std::vector<float> padded(static_cast<std::size_t>(n + 2 * pad));
  for (int k = 0; k < pad; ++k) padded[k] = audio[pad - k];
  std::copy(audio.begin(), audio.end(), padded.begin() + pad);
  for (int k = 0; k < pad; ++k) padded[pad + n + k] = audio[n - 2 - k];

  const int64_t frames = frames_for(n);
  FftwBuffer<double> in(static_cast<double*>(fftw_malloc(sizeof(double) * n_fft_)));
  FftwBuffer<fftw_complex> out(static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * bins())));
  for (int64_t f = 0; f < frames; ++f) {
    const float* frame = padded.data() + f * hop_;
    for (int i = 0; i < n_fft_; ++i) in[i] = frame[i] * window_[i];
    fftw_execute_dft_r2c(plan_->plan, in.get(), out.get());
    per_frame(f, out.get());
  }
}

std::vector<double> Stft::spectrogram(const std::vector<float>& audio, int power) const {
  const int nb = bins();
  std::vector<double> result(static_cast<std::size_t>(frames_for(static_cast<int64_t>(audio.size())) * nb));
  for_each_frame(audio, [&](int64_t f, const fftw_complex* spectrum) {
    double* row = result.data() + f * nb;
    for (int b = 0; b < nb; ++b) {
      const double p = spectrum[b][0] * spectrum[b][0] + spectrum[b][1] * spectrum[b][1];
      row[b] = power == 2 ? p : std::sqrt(p);
    }
  });
  return result;
}

std::vector<std::complex<double>> Stft::complex_spectrogram(const std::vector<float>& audio) const {
  const int nb = bins();
  std::vector<std::complex<double>> result(static_cast<std::size_t>(frames_for(static_cast<int64_t>(audio.size())) * nb));
  for_each_frame(audio, [&](int64_t f, const fftw_complex* spectrum) {
    for (int b = 0; b < nb; ++b) result[f * nb + b] = {spectrum[b][0], spectrum[b][1]};
  });
  return result;
}

std::vector<float> Stft::inverse(const std::vector<std::complex<double>>& spectrum, int64_t length) const {
  const int nb = bins();
  const auto frames = static_cast<int64_t>(spectrum.size()) / nb;
  const int pad = n_fft_ / 2;
  const int64_t padded_length = n_fft_ + hop_ * (frames - 1);
  std::vector<double> signal(static_cast<std::size_t>(padded_length), 0.0), envelope(signal.size(), 0.0);
  FftwBuffer<fftw_complex> in(static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * nb)));
  FftwBuffer<double> out(static_cast<double*>(fftw_malloc(sizeof(double) * n_fft_)));
  for (int64_t f = 0; f < frames; ++f) {
    for (int b = 0; b < nb; ++b) {
      in[b][0] = spectrum[f * nb + b].real();
      in[b][1] = spectrum[f * nb + b].imag();
    }
    fftw_execute_dft_c2r(plan_->inverse, in.get(), out.get());  // unnormalised: divide by n_fft
    for (int i = 0; i < n_fft_; ++i) {
      signal[f * hop_ + i] += out[i] / n_fft_ * window_[i];
      envelope[f * hop_ + i] += window_[i] * window_[i];
    }
  }
  std::vector<float> result(static_cast<std::size_t>(length), 0.0f);
  for (int64_t t = 0; t < length && pad + t < padded_length; ++t) {
    const double e = envelope[pad + t];
    result[t] = e > 1e-11 ? static_cast<float>(signal[pad + t] / e) : 0.0f;
  }
  return result;
}

}  // namespace wn
