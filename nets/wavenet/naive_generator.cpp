#include "nets/wavenet/naive_generator.h"

#include <ATen/Parallel.h>

#include "nets/wavenet/engine/cached_engine.h"

namespace wn {

NaiveGenerator::NaiveGenerator(WaveNet net, const ModelConfig& model, LinearPrediction prediction)
    : net_(std::move(net)),
      distribution_(make_output_distribution(model)),
      prediction_(std::move(prediction)),
      flops_per_sample_(model_flops_per_sample(pack_engine_weights(net_, "fp32"))) {
  TORCH_CHECK(model.linear_prediction == prediction_.order(), "naive generator: the model predicts with order ",
              model.linear_prediction, " but the generator was given order ", prediction_.order());
}

GeneratorFacts NaiveGenerator::facts() const {
  GeneratorFacts f;
  f.threads = at::get_num_threads();
  f.flops_per_sample = flops_per_sample_;
  return f;
}

torch::Tensor NaiveGenerator::generate(const GenerationRequest& request, uint64_t seed, torch::Tensor* /*outputs*/,
                                       GenerationTimings* /*timings*/) {
  torch::NoGradGuard no_grad;
  const int64_t batch = request.mel.defined() ? request.mel.size(0) : request.batch;
  const int64_t field = net_->receptive_field();
  const torch::Tensor local = request.mel.defined() ? net_->upsample(request.mel) : torch::Tensor();
  torch::Tensor history = torch::zeros({batch, field});  // previous samples, newest last
  torch::Tensor audio = torch::zeros({batch, request.samples});
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  PredictorRows predictors(prediction_, static_cast<int>(batch));
  SampleHistory recent(prediction_.order(), static_cast<int>(batch), prediction_.max_lag());
  if (prediction_.active()) {
    TORCH_CHECK(request.mel.defined(), "naive generator: a model with linear prediction needs a mel");
    const torch::Tensor mel = request.mel.to(torch::kFloat).contiguous();
    for (int64_t b = 0; b < batch; ++b) predictors.add(static_cast<int>(b), mel[b].data_ptr<float>(), mel.size(1));
  }
  for (int64_t t = 0; t < request.samples; ++t) {
    // The window of conditioning ending at t (zeros before the utterance starts).
    torch::Tensor window_local;
    if (local.defined()) {
      const int64_t begin = t - field + 1;
      torch::Tensor part = local.narrow(2, std::max<int64_t>(0, begin), t - std::max<int64_t>(0, begin) + 1);
      window_local = begin < 0 ? torch::constant_pad_nd(part, {-begin, 0}) : part;
    }
    const torch::Tensor out = net_->forward_upsampled(net_->encode_input(history), window_local, request.labels);
    torch::Tensor sample = distribution_->sample(out.select(2, field - 1), request.temperature, gen).contiguous();
    if (prediction_.active()) {
      float* x = sample.data_ptr<float>();
      for (int b = 0; b < static_cast<int>(batch); ++b) {
        const StepPredictor p = predictors.at(b, t);
        x[b] = sample_from_excitation(recent.predict(b, p), x[b]);
        recent.push(b, x[b], p);
      }
    }
    audio.select(1, t).copy_(sample);
    history = torch::cat({history.narrow(1, 1, field - 1), sample.unsqueeze(1)}, 1);
  }
  return audio;
}

}  // namespace wn
