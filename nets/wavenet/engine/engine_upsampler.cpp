#include "nets/wavenet/engine/engine_upsampler.h"

#include <torch/torch.h>

namespace wn {
namespace {

std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat).cpu().contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

EngineUpsampler pack_engine_upsampler(WaveNet& net) {
  EngineUpsampler u;
  const ModelConfig& m = net->model();
  if (!m.local_conditioning) return u;
  const auto params = net->named_parameters();
  const torch::Tensor input = params["upsampler.input_conv.weight"];  // (out, in, kernel)
  u.n_mels = static_cast<int>(input.size(0));
  u.kernel = static_cast<int>(input.size(2));
  u.input_weight = to_vector(input);
  u.transposed = m.upsample_mode == "transposed";
  for (std::size_t i = 0; i < m.upsample_scales.size(); ++i) {
    u.scales.push_back(static_cast<int>(m.upsample_scales[i]));
    u.stage_weights.push_back(to_vector(params["upsampler.upsample_" + std::to_string(i) + ".weight"]));
  }
  return u;
}

std::vector<float> EngineUpsampler::upsample_to_last_stage(const float* mel, int64_t frames) const {
  const int M = n_mels;
  int64_t length = frames - kernel + 1;
  // Channel-major (M x length) while upsampling: each stage is a 1-D filter along time.
  std::vector<float> c(static_cast<std::size_t>(M * length));
  for (int o = 0; o < M; ++o) {
    for (int64_t t = 0; t < length; ++t) {
      float sum = 0.0f;
      for (int i = 0; i < M; ++i) {
        const float* w = input_weight.data() + (static_cast<std::size_t>(o) * M + i) * kernel;
        for (int k = 0; k < kernel; ++k) sum += w[k] * mel[(t + k) * M + i];
      }
      c[o * length + t] = sum;
    }
  }
  for (std::size_t stage = 0; stage + 1 < scales.size(); ++stage) {
    const int s = scales[stage];
    const std::vector<float>& w = stage_weights[stage];
    const int64_t out_length = length * s;
    std::vector<float> next(static_cast<std::size_t>(M * out_length));
    for (int m = 0; m < M; ++m) {
      const float* in = c.data() + m * length;
      float* out = next.data() + m * out_length;
      if (transposed) {
        for (int64_t t = 0; t < out_length; ++t) out[t] = in[t / s] * w[t % s];
      } else {
        // Stretch (sample t holds frame t / s), then a zero-padded 2s+1 tap correlation.
        for (int64_t t = 0; t < out_length; ++t) {
          float sum = 0.0f;
          for (int j = -s; j <= s; ++j) {
            const int64_t src = t + j;
            if (src >= 0 && src < out_length) sum += w[j + s] * in[src / s];
          }
          out[t] = sum;
        }
      }
    }
    c.swap(next);
    length = out_length;
  }
  std::vector<float> rows(c.size());  // back to rows x n_mels
  for (int m = 0; m < M; ++m) {
    for (int64_t t = 0; t < length; ++t) rows[t * M + m] = c[m * length + t];
  }
  return rows;
}

std::vector<float> EngineUpsampler::last_stage_taps() const {
  const int s = last_scale();
  const std::vector<float>& w = stage_weights.back();
  std::vector<float> taps(static_cast<std::size_t>(3 * s), 0.0f);
  for (int p = 0; p < s; ++p) {
    if (transposed) {
      taps[3 * p + 1] = w[p];
      continue;
    }
    // Stretched sample f*s + p + j lies in frame f + floor((p + j) / s), one of f-1, f, f+1.
    for (int j = -s; j <= s; ++j) {
      const int d = p + j < 0 ? -1 : p + j >= s ? 1 : 0;
      taps[3 * p + d + 1] += w[j + s];
    }
  }
  return taps;
}

std::vector<float> EngineUpsampler::upsample(const float* mel, int64_t frames) const {
  const int M = n_mels, s = last_scale();
  const std::vector<float> in = upsample_to_last_stage(mel, frames);
  const std::vector<float> taps = last_stage_taps();
  const int64_t length = static_cast<int64_t>(in.size()) / M;
  std::vector<float> out(static_cast<std::size_t>(length * s * M));
  for (int64_t t = 0; t < length * s; ++t) {
    const int64_t f = t / s;
    const float* tap = taps.data() + 3 * (t % s);
    for (int m = 0; m < M; ++m) {
      float sum = 0.0f;
      for (int d = -1; d <= 1; ++d) {
        if (f + d >= 0 && f + d < length) sum += tap[d + 1] * in[(f + d) * M + m];
      }
      out[t * M + m] = sum;
    }
  }
  return out;
}

}  // namespace wn
