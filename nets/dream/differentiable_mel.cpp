#include "nets/dream/differentiable_mel.h"

#include <torch/torch.h>

#include "core/errors.h"
#include "dataio/mel.h"
#include "dataio/stft.h"

namespace wn {

DifferentiableMel::DifferentiableMel(const AudioConfig& audio) : audio_(audio) {
  // The window as dataio's Stft builds it: a periodic Hann of win_length centred in n_fft zeros.
  const std::vector<double> hann = periodic_hann(audio.win_length);
  window_ = torch::zeros({audio.n_fft}, torch::kDouble);
  window_.narrow(0, (audio.n_fft - audio.win_length) / 2, audio.win_length)
      .copy_(torch::tensor(hann, torch::kDouble));
  const MelFilterbank bank(audio.sample_rate, audio.n_fft, audio.n_mels, audio.fmin, audio.fmax);
  const std::vector<float> dense = bank.dense();  // n_mels x bins
  filterbank_ = torch::tensor(dense, torch::kFloat).reshape({bank.n_mels(), bank.bins()}).to(torch::kDouble).t().contiguous();
  seen_bins_ = filterbank_.sum(1) > 0;
}

at::Tensor DifferentiableMel::spectrogram(const at::Tensor& audio) const {
  if (audio.dim() != 2) throw UserError("the differentiable mel takes audio as (batch, samples)");
  if (audio.size(1) <= audio_.n_fft / 2) {
    throw UserError("audio of " + std::to_string(audio.size(1)) + " samples is shorter than half an FFT frame plus one (" +
                    std::to_string(audio_.n_fft / 2 + 1) + ")");
  }
  const torch::Tensor window = window_.to(audio.device());
  const torch::Tensor stft = torch::stft(audio.to(torch::kDouble), audio_.n_fft, audio_.hop_length, audio_.n_fft, window,
                                         /*center=*/true, "reflect", /*normalized=*/false, /*onesided=*/true,
                                         /*return_complex=*/true);
  const torch::Tensor power = torch::view_as_real(stft).pow(2).sum(-1).transpose(1, 2);  // (B, frames, bins)
  // sqrt's gradient at 0 is infinite: a floor far below any audible bin keeps digital silence finite.
  return audio_.power == 2 ? power : power.clamp_min(1e-30).sqrt();
}

at::Tensor DifferentiableMel::mel_of(const at::Tensor& spectrogram) const {
  return torch::matmul(spectrogram, filterbank_.to(spectrogram.device()));
}

at::Tensor DifferentiableMel::compress(const at::Tensor& mel) const {
  const torch::Tensor clamped = mel.clamp_min(audio_.log_floor);
  if (audio_.compression == "ln") return clamped.log();
  if (audio_.compression == "db") return (audio_.power == 2 ? 10.0 : 20.0) * clamped.log10();
  return clamped.log10();
}

}  // namespace wn
