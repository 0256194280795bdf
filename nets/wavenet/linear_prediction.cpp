#include "nets/wavenet/linear_prediction.h"

#include <algorithm>

namespace wn {

StepPredictor long_term_step(float gain, float f0_hz, int sample_rate, int max_lag) {
  StepPredictor p;
  if (!(gain > 0.0f) || !(f0_hz > 0.0f)) return p;
  p.gain = gain;
  p.lag = std::clamp(static_cast<int>(std::lround(sample_rate / static_cast<double>(f0_hz))), 2, max_lag);
  return p;
}

PredictorRows::PredictorRows(const LinearPrediction& prediction, int batch)
    : prediction_(prediction), order_(prediction.order()), rows_(batch), zeros_(std::max(order_, 1), 0.0f) {
  if (prediction.long_term()) pitch_ = std::make_unique<PitchRows>(prediction.pitch, batch);
}

void PredictorRows::add(int b, const float* mel_rows, int64_t count) {
  if (!prediction_.active()) return;
  std::vector<float>& rows = rows_[b];
  const int n_mels = prediction_.lpc->n_mels();
  const std::size_t before = rows.size();
  rows.resize(before + static_cast<std::size_t>(count) * order_);
  for (int64_t r = 0; r < count; ++r) {
    prediction_.lpc->coefficients(mel_rows + r * n_mels, rows.data() + before + static_cast<std::size_t>(r) * order_);
  }
  if (pitch_) pitch_->add(b, mel_rows, count);
}

StepPredictor PredictorRows::at(int b, int64_t t) const {
  const std::vector<float>& rows = rows_[b];
  const std::size_t row = static_cast<std::size_t>(prediction_.context_frames + t / prediction_.hop);
  StepPredictor p;
  if ((row + 1) * order_ > rows.size()) {
    p.coefficients = zeros_.data();
    return p;
  }
  if (pitch_) {
    p = long_term_step(prediction_.pitch_gain, pitch_->f0_at(b, t / prediction_.hop), prediction_.pitch.sample_rate,
                       prediction_.max_lag());
  }
  p.coefficients = rows.data() + row * order_;
  return p;
}

SampleHistory::SampleHistory(int order, int batch, int max_lag)
    : order_(order),
      max_lag_(max_lag),
      ring_(static_cast<std::size_t>(batch) * 2 * order, 0.0f),
      head_(batch, 0),
      past_(static_cast<std::size_t>(batch) * max_lag, 0.0f),
      newest_(batch, 0) {}

float SampleHistory::sample_back(int b, int lag) const {
  int i = newest_[b] - (lag - 1);
  if (i < 0) i += max_lag_;
  return past_[static_cast<std::size_t>(b) * max_lag_ + i];
}

float SampleHistory::predict(int b, const StepPredictor& p) const {
  // window[order-1] is the newest r, r[t-1]; coefficients[k] weighs r[t-1-k].
  const float* window = ring_.data() + static_cast<std::size_t>(b) * 2 * order_ + head_[b];
  float sum = 0.0f;
  for (int k = 0; k < order_; ++k) sum += p.coefficients[k] * window[order_ - 1 - k];
  if (p.gain > 0.0f) sum += p.gain * sample_back(b, p.lag);
  return sum;
}

void SampleHistory::push(int b, float sample, const StepPredictor& p) {
  if (order_ == 0) return;
  const float r = p.gain > 0.0f ? sample - p.gain * sample_back(b, p.lag) : sample;
  float* ring = ring_.data() + static_cast<std::size_t>(b) * 2 * order_;
  int& head = head_[b];
  ring[head] = r;
  ring[head + order_] = r;
  head = head + 1 == order_ ? 0 : head + 1;
  if (max_lag_ > 0) {
    int& newest = newest_[b];
    newest = newest + 1 == max_lag_ ? 0 : newest + 1;
    past_[static_cast<std::size_t>(b) * max_lag_ + newest] = sample;
  }
}

std::vector<float> teacher_forced_predictions(const LinearPrediction& prediction, const float* audio, int batch,
                                              int64_t samples, const float* mel, int64_t mel_rows, const float* f0) {
  std::vector<float> out(static_cast<std::size_t>(batch) * samples, 0.0f);
  if (!prediction.active()) return out;
  const int n_mels = prediction.lpc->n_mels();
  // The lags come from the given track, not the pitch head: the head is what is being trained.
  LinearPrediction all_pole = prediction;
  all_pole.pitch_gain = 0.0f;
  PredictorRows predictors(all_pole, batch);
  SampleHistory history(prediction.order(), batch, prediction.max_lag());
  const int64_t frames = samples / prediction.hop;
  for (int b = 0; b < batch; ++b) {
    predictors.add(b, mel + static_cast<std::size_t>(b) * mel_rows * n_mels, mel_rows);
    for (int64_t t = 0; t < samples; ++t) {
      StepPredictor p = predictors.at(b, t);
      if (prediction.long_term() && f0 && t / prediction.hop < frames) {
        const StepPredictor pitch = long_term_step(prediction.pitch_gain, f0[b * frames + t / prediction.hop],
                                                   prediction.pitch.sample_rate, prediction.max_lag());
        p.gain = pitch.gain;
        p.lag = pitch.lag;
      }
      out[static_cast<std::size_t>(b) * samples + t] = history.predict(b, p);
      history.push(b, audio[static_cast<std::size_t>(b) * samples + t], p);
    }
  }
  return out;
}

}  // namespace wn
