#include "nets/wavenet/pitch_head.h"

#include <cmath>

#include "nets/wavenet/harmonic_source.h"

namespace wn {
namespace {

std::vector<float> values(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

PitchHeadImpl::PitchHeadImpl(int n_mels, int kernel, int hidden) : n_mels_(n_mels), kernel_(kernel), hidden_(hidden) {
  reset();
}

void PitchHeadImpl::reset() {
  rows_ = register_module("rows", torch::nn::Conv1d(torch::nn::Conv1dOptions(n_mels_, hidden_, kernel_)));
  mix_ = register_module("mix", torch::nn::Conv1d(torch::nn::Conv1dOptions(hidden_, hidden_, 1)));
  out_ = register_module("out", torch::nn::Conv1d(torch::nn::Conv1dOptions(hidden_, 2, 1)));
}

torch::Tensor PitchHeadImpl::forward(const torch::Tensor& mel) {
  const torch::Tensor centred = mel - mel.mean(-1, true);
  const torch::Tensor spread = (centred.pow(2).mean(-1, true) + kPitchRowEpsilon).sqrt();
  torch::Tensor h = torch::relu(rows_((centred / spread).transpose(1, 2)));
  return out_(torch::relu(mix_(h)));
}

torch::Tensor PitchHeadImpl::f0(const torch::Tensor& mel) {
  torch::NoGradGuard no_grad;
  const torch::Tensor o = forward(mel).to(torch::kCPU, torch::kFloat).contiguous();
  torch::Tensor hz = torch::empty({o.size(0), o.size(2)}, torch::kFloat);
  auto in = o.accessor<float, 3>();
  auto out = hz.accessor<float, 2>();
  for (int64_t b = 0; b < o.size(0); ++b) {
    for (int64_t f = 0; f < o.size(2); ++f) out[b][f] = f0_from_pitch_outputs(in[b][0][f], in[b][1][f]);
  }
  return hz;
}

PitchHeadArrays PitchHeadImpl::arrays() const {
  PitchHeadArrays a;
  a.n_mels = n_mels_;
  a.kernel = kernel_;
  a.hidden = hidden_;
  a.w1 = values(rows_->weight);
  a.b1 = values(rows_->bias);
  a.w2 = values(mix_->weight);
  a.b2 = values(mix_->bias);
  a.w3 = values(out_->weight);
  a.b3 = values(out_->bias);
  return a;
}

torch::Tensor pitch_head_loss(const torch::Tensor& outputs, const torch::Tensor& f0) {
  const torch::Tensor target = f0.to(outputs.device(), torch::kFloat);
  const torch::Tensor voiced = (target > 0).to(torch::kFloat);
  const torch::Tensor voicing = torch::binary_cross_entropy_with_logits(outputs.select(1, 0), voiced);
  const torch::Tensor log_ratio = torch::log(target.clamp_min(1.0) / kPitchReferenceHz);
  const torch::Tensor squared = (outputs.select(1, 1) - log_ratio).pow(2) * voiced;
  return voicing + squared.sum() / voiced.sum().clamp_min(1.0);
}

torch::Tensor harmonic_source_tensor(const torch::Tensor& f0, int harmonics, int hop, int sample_rate,
                                     const torch::Tensor& phase) {
  const torch::Tensor hz = f0.detach().to(torch::kCPU, torch::kFloat).contiguous();
  const torch::Tensor cycles = phase.defined() ? phase.detach().to(torch::kCPU, torch::kFloat).contiguous() : torch::Tensor();
  TORCH_CHECK(!cycles.defined() || cycles.sizes() == hz.sizes(), "pitch source: phase and F0 tracks differ in shape");
  const int64_t batch = hz.size(0), frames = hz.size(1);
  const int channels = harmonic_source_channels(harmonics);
  torch::Tensor out = torch::empty({batch, channels, frames * hop}, torch::kFloat);
  for (int64_t b = 0; b < batch; ++b) {
    const std::vector<float> track = harmonic_source_track(harmonics, hop, sample_rate, hz[b].data_ptr<float>(), frames,
                                                           cycles.defined() ? cycles[b].data_ptr<float>() : nullptr);
    std::copy(track.begin(), track.end(), out[b].data_ptr<float>());
  }
  return out;
}

}  // namespace wn
