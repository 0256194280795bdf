#include "nets/wavenet/linear_prediction.h"

#include <algorithm>

namespace wn {

PredictorRows::PredictorRows(const LinearPrediction& prediction, int batch)
    : prediction_(prediction), order_(prediction.order()), rows_(batch), zeros_(std::max(order_, 1), 0.0f) {}

void PredictorRows::add(int b, const float* mel_rows, int64_t count) {
  if (!prediction_.active()) return;
  std::vector<float>& rows = rows_[b];
  const int n_mels = prediction_.lpc->n_mels();
  const std::size_t before = rows.size();
  rows.resize(before + static_cast<std::size_t>(count) * order_);
  for (int64_t r = 0; r < count; ++r) {
    prediction_.lpc->coefficients(mel_rows + r * n_mels, rows.data() + before + static_cast<std::size_t>(r) * order_);
  }
}

const float* PredictorRows::at(int b, int64_t t) const {
  const std::vector<float>& rows = rows_[b];
  const std::size_t row = static_cast<std::size_t>(prediction_.context_frames + t / prediction_.hop);
  if ((row + 1) * order_ > rows.size()) return zeros_.data();
  return rows.data() + row * order_;
}

SampleHistory::SampleHistory(int order, int batch)
    : order_(order), ring_(static_cast<std::size_t>(batch) * 2 * order, 0.0f), head_(batch, 0) {}

float SampleHistory::predict(int b, const float* coefficients) const {
  // window[order-1] is the newest sample, x[t-1]; coefficients[k] weighs x[t-1-k].
  const float* window = ring_.data() + static_cast<std::size_t>(b) * 2 * order_ + head_[b];
  float sum = 0.0f;
  for (int k = 0; k < order_; ++k) sum += coefficients[k] * window[order_ - 1 - k];
  return sum;
}

void SampleHistory::push(int b, float sample) {
  if (order_ == 0) return;
  float* ring = ring_.data() + static_cast<std::size_t>(b) * 2 * order_;
  int& head = head_[b];
  ring[head] = sample;
  ring[head + order_] = sample;
  head = head + 1 == order_ ? 0 : head + 1;
}

std::vector<float> teacher_forced_predictions(const LinearPrediction& prediction, const float* audio, int batch,
                                              int64_t samples, const float* mel, int64_t mel_rows) {
  std::vector<float> out(static_cast<std::size_t>(batch) * samples, 0.0f);
  if (!prediction.active()) return out;
  const int n_mels = prediction.lpc->n_mels();
  PredictorRows predictors(prediction, batch);
  SampleHistory history(prediction.order(), batch);
  for (int b = 0; b < batch; ++b) {
    predictors.add(b, mel + static_cast<std::size_t>(b) * mel_rows * n_mels, mel_rows);
    for (int64_t t = 0; t < samples; ++t) {
      out[static_cast<std::size_t>(b) * samples + t] = history.predict(b, predictors.at(b, t));
      history.push(b, audio[static_cast<std::size_t>(b) * samples + t]);
    }
  }
  return out;
}

}  // namespace wn
