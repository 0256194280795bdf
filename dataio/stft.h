#pragma once
// Short-time Fourier transform with FFTW, matching torch.stft(center=True, pad_mode="reflect",
// window=periodic Hann of win_length zero-padded to n_fft, onesided). It runs in double
// precision: float32 FFTs leave errors of ~2e-6 of the peak, which on quiet bins exceed the
// 1e-5 relative agreement with torchaudio we promise. Thread-safe once built: many workers may
// share one Stft.

#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

namespace wn {

// w[n] = 0.5 - 0.5 cos(2 pi n / length): the periodic Hann (torch.hann_window default).
std::vector<double> periodic_hann(int length);

class Stft {
 public:
  Stft(int n_fft, int win_length, int hop_length);
  ~Stft();
  Stft(const Stft&) = delete;
  Stft& operator=(const Stft&) = delete;

  int n_fft() const { return n_fft_; }
  int hop_length() const { return hop_; }
  int bins() const { return n_fft_ / 2 + 1; }
  // With center=True: 1 + samples / hop.
  int64_t frames_for(int64_t samples) const { return 1 + samples / hop_; }

  // |X|^power (power 1 or 2), row-major frames x bins. Needs more than n_fft/2 samples for the
  // reflect padding; throws std::invalid_argument otherwise.
  std::vector<double> spectrogram(const std::vector<float>& audio, int power) const;
  // The complex STFT, frames x bins.
  std::vector<std::complex<double>> complex_spectrogram(const std::vector<float>& audio) const;
  // Inverse of complex_spectrogram (windowed overlap-add divided by the summed squared window,
  // centring removed, like torch.istft), returning `length` samples (at most
  // (frames-1)*hop + n_fft/2; zero beyond what the frames cover).
  std::vector<float> inverse(const std::vector<std::complex<double>>& spectrum, int64_t length) const;

 private:
  int n_fft_;
  int hop_;
  std::vector<double> window_;  // n_fft long, Hann of win_length centred
  template <class PerFrame>
  void for_each_frame(const std::vector<float>& audio, PerFrame&& per_frame) const;
  struct Plan;
  std::unique_ptr<Plan> plan_;
};

}  // namespace wn
