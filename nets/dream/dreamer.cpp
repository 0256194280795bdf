#include "nets/dream/dreamer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/errors.h"
#include "nets/dream/differentiable_mel.h"

namespace wn {
namespace {

torch::Tensor row_tensor(const std::vector<double>& values, double floor) {
  std::vector<float> v;
  for (double x : values) v.push_back(static_cast<float>(std::max(x, floor)));
  return torch::tensor(v, torch::kFloat);
}

int64_t label_index(const LoadedModel& model, const std::string& name, const std::string& key) {
  std::string known;
  for (std::size_t i = 0; i < model.labels.size(); ++i) {
    if (model.labels[i] == name) return static_cast<int64_t>(i);
    known += (i ? ", " : "") + model.labels[i];
  }
  throw UserError(key + "='" + name + "': not a label of " + model.checkpoint.string() + " (" +
                  (known.empty() ? "it has none" : "it has " + known) + ")");
}

// A critic with its own mel recipe and the normalisation it was trained with.
struct CriticView {
  const LoadedModel* model = nullptr;
  std::unique_ptr<DifferentiableMel> mel;
  torch::Tensor mean, std;  // set when the model was trained on normalised mels
  int64_t label = -1;

  CriticView(const LoadedModel& m, int64_t label_id) : model(&m), mel(std::make_unique<DifferentiableMel>(m.config.audio)), label(label_id) {
    // Gradients go to the waveform only.
    m.model->module().eval();
    for (torch::Tensor& parameter : m.model->module().parameters()) parameter.set_requires_grad(false);
    if (m.config.data.normalize_mel) {
      mean = row_tensor(m.mel_mean, -1e30);
      std = row_tensor(m.mel_std, 1e-5);  // MelNormalizer's floor
    }
  }
  // The critic's input for compressed mels (B, frames, n_mels) of its own recipe.
  torch::Tensor input(const torch::Tensor& compressed) const {
    torch::Tensor x = compressed.to(torch::kFloat);
    return mean.defined() ? (x - mean) / std : x;
  }
  torch::Tensor score(const torch::Tensor& compressed) const { return model->model->critic()->score(input(compressed), label); }
};

// Adam with one second moment for the whole waveform instead of one per sample. Per-sample
// Adam moves every sample by about lr on its first steps whatever its gradient, which adds
// white noise (hiss in every quiet band) at each step; a shared second moment keeps the update's
// spectrum that of the gradient, scaled so its RMS is about lr.
class WaveformAdam {
 public:
  WaveformAdam(torch::Tensor parameter, double lr) : parameter_(std::move(parameter)), lr_(lr) {
    momentum_ = torch::zeros_like(parameter_);
  }
  void step() {
    torch::NoGradGuard no_grad;
    const torch::Tensor g = parameter_.grad();
    ++t_;
    momentum_.mul_(kBeta1).add_(g, 1 - kBeta1);
    second_ = kBeta2 * second_ + (1 - kBeta2) * g.pow(2).mean().item<double>();
    const double m_scale = 1.0 / (1 - std::pow(kBeta1, t_));
    const double rms = std::sqrt(second_ / (1 - std::pow(kBeta2, t_)));
    parameter_.sub_(momentum_, lr_ * m_scale / (rms + 1e-12));
  }

 private:
  static constexpr double kBeta1 = 0.9, kBeta2 = 0.999;
  torch::Tensor parameter_, momentum_;
  double lr_;
  double second_ = 0.0;
  int t_ = 0;
};

}  // namespace

struct Dreamer::Parts {
  std::unique_ptr<CriticView> critic, discriminator;
  torch::Tensor corpus_mean, corpus_std;  // per band, compressed units; undefined without statistics
  torch::Tensor unseen_bins;              // STFT bins no mel filter weighs, as 0/1 doubles
  double target_mean = 0.0, target_std = 1.0;
  bool regression = true;
  int64_t max_shift = 0;

  // What one step ascends for `audio` (1, T): the critic's score less the weighted penalties,
  // plus the weighted realness; each term's value goes into `figures`.
  torch::Tensor objective(const torch::Tensor& audio, const DreamConfig& s, DreamStep& figures) const;
};

torch::Tensor Dreamer::Parts::objective(const torch::Tensor& audio, const DreamConfig& s, DreamStep& figures) const {
  const torch::Tensor spectrum = critic->mel->spectrogram(audio);
  const torch::Tensor compressed = critic->mel->compress(critic->mel->mel_of(spectrum));
  const torch::Tensor score = critic->score(compressed).mean();
  const double raw = score.item<double>();
  figures.score = regression ? raw * target_std + target_mean : std::exp(raw);
  torch::Tensor objective = score.to(torch::kDouble);
  if (corpus_mean.defined()) {
    // In corpus standard deviations: a band louder than mean + range_std is out of the corpus's
    // range (quieter bands are not: silence and quiet tones are in every corpus).
    const torch::Tensor z = (compressed.to(torch::kFloat) - corpus_mean) / corpus_std;
    const torch::Tensor range = torch::relu(z - s.range_std).pow(2).mean();
    const int64_t frames = z.size(1);
    const torch::Tensor tv = frames > 1 ? (z.narrow(1, 1, frames - 1) - z.narrow(1, 0, frames - 1)).abs().mean()
                                        : torch::zeros({}, torch::kFloat);
    objective = objective - s.range_weight * range - s.tv_weight * tv;
    figures.range = range.item<double>();
    figures.total_variation = tv.item<double>();
  }
  const torch::Tensor power = critic->model->config.audio.power == 2 ? spectrum : spectrum.pow(2);
  const torch::Tensor out_of_band = (power * unseen_bins).sum() / (power.sum() + 1e-12);
  objective = objective - s.out_of_band_weight * out_of_band;
  figures.out_of_band = out_of_band.item<double>();
  if (discriminator) {
    const torch::Tensor realness = discriminator->score(discriminator->mel->compressed(audio)).mean();
    objective = objective + s.realness_weight * realness.to(torch::kDouble);
    figures.realness = realness.item<double>();
  }
  return objective;
}

Dreamer::Dreamer(const LoadedModel& critic, const DreamConfig& settings, const LoadedModel* discriminator)
    : parts_(std::make_unique<Parts>()), settings_(settings) {
  MelCritic* c = critic.model->critic();
  if (!c) throw UserError(critic.checkpoint.string() + ": model.type=" + critic.config.model.type + " is not a critic; dream with a rating model");
  Parts& p = *parts_;
  p.regression = c->regression();
  int64_t label = -1;
  if (!p.regression) {
    if (settings.label.empty()) throw UserError("dream.label: a classifier critic needs the label whose probability to raise");
    label = label_index(critic, settings.label, "dream.label");
  }
  p.critic = std::make_unique<CriticView>(critic, label);
  p.unseen_bins = p.critic->mel->seen_bins().logical_not().to(torch::kDouble);
  p.target_mean = critic.target.mean;
  p.target_std = critic.target.present() ? critic.target.std : 1.0;
  const int n_mels = critic.config.audio.n_mels;
  if (critic.mel_mean.size() == static_cast<std::size_t>(n_mels) && critic.mel_std.size() == critic.mel_mean.size()) {
    p.corpus_mean = row_tensor(critic.mel_mean, -1e30);
    p.corpus_std = row_tensor(critic.mel_std, 1e-5);
  }
  p.max_shift = std::llround(settings.max_shift_frames * critic.config.audio.hop_length);
  if (!settings.discriminator.empty()) {
    if (!discriminator) throw UserError("dream.discriminator=" + settings.discriminator + ": the discriminator was not loaded");
    MelCritic* d = discriminator->model->critic();
    if (!d || d->regression()) {
      throw UserError(settings.discriminator + ": a discriminator must be a classes critic (model.type=rating, model.objective=classes)");
    }
    if (discriminator->config.audio.sample_rate != critic.config.audio.sample_rate) {
      throw UserError(settings.discriminator + ": its sample rate " + std::to_string(discriminator->config.audio.sample_rate) +
                      " Hz differs from the critic's " + std::to_string(critic.config.audio.sample_rate) + " Hz");
    }
    p.discriminator = std::make_unique<CriticView>(*discriminator, label_index(*discriminator, settings.discriminator_label, "dream.discriminator_label"));
  }
}

Dreamer::~Dreamer() = default;

int64_t Dreamer::label() const { return parts_->critic->label; }

DreamResult Dreamer::run(const std::vector<float>& start, const std::function<void(int, const DreamStep&)>& on_step) const {
  const Parts& p = *parts_;
  const DreamConfig& s = settings_;
  const auto samples = static_cast<int64_t>(start.size());
  std::mt19937_64 rng(static_cast<uint64_t>(s.seed) + 1);
  std::uniform_int_distribution<int64_t> shift(-p.max_shift, p.max_shift);

  // x = bound * tanh(v): the bound holds whatever Adam does.
  const double bound = s.amplitude_bound;
  torch::Tensor x0 = torch::tensor(start, torch::kFloat).reshape({1, samples}).to(torch::kDouble);
  torch::Tensor v = torch::atanh((x0 / bound).clamp(-0.999, 0.999)).set_requires_grad(true);
  WaveformAdam adam(v, s.lr);
  DreamResult result;
  for (int step = 0; step < s.steps; ++step) {
    if (v.grad().defined()) v.mutable_grad().zero_();
    const torch::Tensor audio = torch::roll(bound * torch::tanh(v), {p.max_shift > 0 ? shift(rng) : 0}, {1});
    DreamStep figures;
    const torch::Tensor objective = p.objective(audio, s, figures);
    if (!std::isfinite(objective.item<double>())) {
      throw UserError("dreaming diverged at step " + std::to_string(step + 1) + " (the objective is not finite); lower dream.lr");
    }
    (-objective).backward();
    adam.step();
    result.steps.push_back(figures);
    if (on_step) on_step(step + 1, figures);
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor final_audio = (bound * torch::tanh(v)).to(torch::kFloat).contiguous();
  result.audio.assign(final_audio.data_ptr<float>(), final_audio.data_ptr<float>() + samples);
  return result;
}

std::vector<float> dream_noise_start(int64_t samples, const DreamConfig& settings) {
  std::mt19937_64 rng(static_cast<uint64_t>(settings.seed));
  std::normal_distribution<double> normal(0.0, settings.init_noise);
  std::vector<float> noise(static_cast<std::size_t>(samples));
  for (float& x : noise) x = static_cast<float>(normal(rng));
  return noise;
}

}  // namespace wn
