#pragma once
// WaveNet with linear prediction (model.linear_prediction = order > 0, after LPCNet): each mel
// frame gives an all-pole predictor (dataio/lpc_from_mel.h); the prediction of sample t is
// p[t] = sum_k a_k x[t-1-k] with the predictor of t's frame, and the network models only the
// excitation e[t] = x[t] - p[t]: its output at t is e[t]'s distribution, its input still the
// sample before. Training takes p from the true samples (teacher forcing); every generator
// takes it from the samples it has made, and emits x[t] = clamp(p[t] + e[t], -1, 1). The
// formant structure is the predictor's, so the network can spend its capacity on the voicing.

#include <cstdint>
#include <memory>
#include <vector>

#include "dataio/lpc_from_mel.h"

namespace wn {

// What a generator needs to predict: the mel's predictor and where sample t's frame is.
struct LinearPrediction {
  std::shared_ptr<const MelToLpc> lpc;  // null: the model predicts samples, not excitations
  int hop = 256;                        // samples per mel frame
  int context_frames = 0;               // mel rows before the first frame of samples
  bool active() const { return lpc != nullptr; }
  int order() const { return lpc ? lpc->order() : 0; }
};

// Every batch row's predictors, one per mel row received (context rows included).
class PredictorRows {
 public:
  PredictorRows(const LinearPrediction& prediction, int batch);
  // Appends row b's predictors of `count` more mel rows (n_mels values each).
  void add(int b, const float* mel_rows, int64_t count);
  // The predictor of step t of row b (the mel row t / hop after the context); zeros when that
  // row has not arrived.
  const float* at(int b, int64_t t) const;
  int order() const { return order_; }

 private:
  LinearPrediction prediction_;
  int order_;
  std::vector<std::vector<float>> rows_;  // [b]: received rows x order
  std::vector<float> zeros_;
};

// The last `order` samples of every batch row (silence before the first), and predictions
// from them. Each thread of a generator that samples every row keeps its own.
class SampleHistory {
 public:
  SampleHistory() = default;  // order 0: predicts nothing
  SampleHistory(int order, int batch);
  float predict(int b, const float* coefficients) const;
  void push(int b, float sample);

 private:
  int order_ = 0;
  std::vector<float> ring_;   // per row 2*order: every sample written twice, so the window is contiguous
  std::vector<int> head_;     // per row: the window's oldest sample
};

// The sample an excitation makes, kept in the sample range.
inline float sample_from_excitation(float prediction, float excitation) {
  const float x = prediction + excitation;
  return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
}

// Training's side, in plain loops: the predictions of audio (B x T, row-major) from itself, with
// mel (B x rows x n_mels) giving the predictors of each row's frames. Returns B x T.
std::vector<float> teacher_forced_predictions(const LinearPrediction& prediction, const float* audio, int batch,
                                              int64_t samples, const float* mel, int64_t mel_rows);

}  // namespace wn
