#include "nets/samplernn/samplernn_reference_generator.h"

#include <ATen/Parallel.h>

#include "nets/device_generator.h"
#include "nets/quantize_tensor.h"
#include "nets/samplernn/engine/samplernn_weights.h"

namespace wn {

SampleRnnReferenceGenerator::SampleRnnReferenceGenerator(SampleRnn net) : net_(std::move(net)) {}

GeneratorFacts SampleRnnReferenceGenerator::facts() const {
  GeneratorFacts f;
  f.threads = at::get_num_threads();
  SampleRnn net = net_;
  f.flops_per_sample = 2.0 * pack_samplernn_weights(net, "fp32").macs_per_sample();
  return f;
}

torch::Tensor SampleRnnReferenceGenerator::generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* outputs,
                                                    GenerationTimings* /*timings*/) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(request.mel_frames.empty() && request.seeds.empty(),
              "samplernn reference generator: rows of different lengths or seeds are a fast-generator feature");
  const ModelConfig& m = net_->model();
  const Quantization q = quantization_named(m.quantization);
  const auto options = net_->mlp_output->weight.options();
  const int64_t B = request.mel.defined() ? request.mel.size(0) : request.batch;
  const int64_t T = request.samples, H = net_->history(), Q = m.quantize_channels;
  const int64_t FL = net_->tiers.back().frame_size;
  TORCH_CHECK(!request.teacher.defined() || (request.teacher.size(0) == B && request.teacher.size(1) <= T),
              "samplernn reference generator: teacher audio must be (batch, at most samples)");
  torch::Generator generator = seeded_generator(options.device(), seed);

  const torch::Tensor silence = quantize_tensor(torch::zeros({1}), static_cast<int>(Q), q);
  torch::Tensor classes = silence.to(options.device()).expand({B, H + T}).contiguous();
  torch::Tensor values = dequantize_tensor(classes, static_cast<int>(Q), q);
  const int64_t top_frames = (T + H - 1) / H;
  const torch::Tensor mel = request.mel.defined() ? request.mel.to(options.device()) : torch::Tensor();
  const torch::Tensor labels = request.labels.defined() ? request.labels.to(options.device(), torch::kLong) : torch::Tensor();
  const torch::Tensor top = net_->top_conditioning(mel, labels, top_frames);  // (B, frames or 1, dim)
  SampleRnnState state = net_->initial_state(B);
  std::vector<torch::Tensor> upsampled(net_->tiers.size());
  if (outputs) *outputs = torch::zeros({B, Q, T});

  for (int64_t t = 0; t < T; ++t) {
    for (std::size_t k = 0; k < net_->tiers.size(); ++k) {
      auto& tier = net_->tiers[k];
      const int64_t F = tier.frame_size;
      if (t % F != 0) continue;
      torch::Tensor input = tier.input(values.narrow(1, H + t - F, F)).unsqueeze(1);  // (B, 1, dim)
      if (k > 0) {
        const int64_t ratio = net_->tiers[k - 1].ratio;
        input = input + upsampled[k - 1].select(1, (t / F) % ratio).unsqueeze(1);
      } else if (top.defined()) {
        input = input + top.narrow(1, top.size(1) == 1 ? 0 : t / F, 1);
      }
      torch::Tensor cell = net_->lstm() ? state.cell[k] : torch::Tensor();
      const torch::Tensor out = net_->run_tier(k, input, state.hidden[k], cell);
      if (net_->lstm()) state.cell[k] = cell;
      upsampled[k] = tier.upsample(out.squeeze(1)).reshape({B, tier.ratio, tier.next_dim});
    }
    const torch::Tensor previous = classes.narrow(1, H + t - FL, FL).unsqueeze(1);  // (B, 1, FL)
    const torch::Tensor logits =
        net_->sample_logits(previous, upsampled.back().select(1, t % FL).unsqueeze(1)).squeeze(1);  // (B, Q)
    if (outputs) outputs->select(2, t).copy_(logits.cpu());
    torch::Tensor chosen;
    if (request.teacher.defined() && t < request.teacher.size(1)) {
      chosen = quantize_tensor(request.teacher.select(1, t).to(options.device(), torch::kFloat), static_cast<int>(Q), q);
    } else {
      const torch::Tensor probs = torch::softmax(logits.cpu() / request.temperature, 1);
      chosen = torch::multinomial(probs, 1, true, generator).squeeze(1).to(options.device());
    }
    classes.select(1, H + t).copy_(chosen);
    values.select(1, H + t).copy_(dequantize_tensor(chosen, static_cast<int>(Q), q));
    if (request.on_step) request.on_step(t + 1);
  }
  return values.narrow(1, H, T).cpu();
}

}  // namespace wn
