#pragma once
// WaveNet with linear prediction (model.linear_prediction = order > 0, after LPCNet): each mel
// frame gives an all-pole predictor (dataio/lpc_from_mel.h); the prediction of sample t is
// p[t] = sum_k a_k x[t-1-k] with the predictor of t's frame, and the network models only the
// excitation e[t] = x[t] - p[t]: its output at t is e[t]'s distribution, its input still the
// sample before. Training takes p from the true samples (teacher forcing); every generator
// takes it from the samples it has made, and emits x[t] = clamp(p[t] + e[t], -1, 1). The
// formant structure is the predictor's, so the network can spend its capacity on the voicing.
//
// Long-term prediction (model.long_term_prediction = gain g > 0, after the pitch predictors of
// speech codecs): in voiced frames the sample one pitch period L back predicts the next, so
// p[t] = g x[t-L] + sum_k a_k r[t-1-k], where r[t] = x[t] - g x[t-L] is what the pitch
// predictor leaves and the all-pole predictor works on r. L = round(sample_rate / F0) with the
// F0 of t's frame: the pitch head's in every generator, the loader's track in training. Sampled
// excitations are then repeated a period later, so the audio is periodic where the speech is
// voiced even before the network has learned to make pulses.

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataio/lpc_from_mel.h"
#include "nets/wavenet/pitch_rows.h"

namespace wn {

// The longest pitch period a long-term predictor reaches back (the head's lowest F0).
inline int pitch_max_lag(int sample_rate) { return static_cast<int>(std::ceil(sample_rate / kPitchMinHz)) + 1; }

// What a generator needs to predict: the mel's predictor and where sample t's frame is.
struct LinearPrediction {
  std::shared_ptr<const MelToLpc> lpc;  // null: the model predicts samples, not excitations
  int hop = 256;                        // samples per mel frame
  int context_frames = 0;               // mel rows before the first frame of samples
  float pitch_gain = 0.0f;              // long-term prediction's gain g; 0: none
  PitchConditioning pitch;              // the pitch head whose F0 sets the lag (pitch_gain > 0)
  bool active() const { return lpc != nullptr; }
  int order() const { return lpc ? lpc->order() : 0; }
  bool long_term() const { return lpc != nullptr && pitch_gain > 0.0f; }
  int max_lag() const { return long_term() ? pitch_max_lag(pitch.sample_rate) : 0; }
};

// How step t is predicted: its frame's all-pole predictor, and the long-term one.
struct StepPredictor {
  const float* coefficients = nullptr;  // order values; coefficients[k] weighs r[t-1-k]
  float gain = 0.0f;                    // 0: no long-term prediction at this step
  int lag = 0;                          // the pitch period in samples, in [2, max_lag]
};

// The long-term predictor of a frame with F0 f0_hz (0: unvoiced, no prediction).
StepPredictor long_term_step(float gain, float f0_hz, int sample_rate, int max_lag);

// Every batch row's predictors, one per mel row received (context rows included), and with
// long-term prediction the pitch head's F0 of every frame.
class PredictorRows {
 public:
  PredictorRows(const LinearPrediction& prediction, int batch);
  // Appends row b's predictors of `count` more mel rows (n_mels values each).
  void add(int b, const float* mel_rows, int64_t count);
  // The predictor of step t of row b (the mel row t / hop after the context); zeros and no
  // long-term prediction while the rows it needs have not arrived.
  StepPredictor at(int b, int64_t t) const;
  int order() const { return order_; }

 private:
  LinearPrediction prediction_;
  int order_;
  std::vector<std::vector<float>> rows_;  // [b]: received rows x order
  std::vector<float> zeros_;
  std::unique_ptr<PitchRows> pitch_;      // long-term prediction's F0 per frame
};

// Every batch row's recent past (silence before the first sample): the last `order` values of
// r for the all-pole predictor and, with long-term prediction, the last max_lag samples.
// Each thread of a generator that samples every row keeps its own.
class SampleHistory {
 public:
  SampleHistory() = default;  // order 0: predicts nothing
  SampleHistory(int order, int batch, int max_lag = 0);
  float predict(int b, const StepPredictor& p) const;
  // Appends the sample made at a step predicted by p.
  void push(int b, float sample, const StepPredictor& p);

 private:
  float sample_back(int b, int lag) const;  // x[t - lag] for the step t about to be made

  int order_ = 0, max_lag_ = 0;
  std::vector<float> ring_;   // per row 2*order: every r written twice, so the window is contiguous
  std::vector<int> head_;     // per row: the window's oldest value
  std::vector<float> past_;   // per row max_lag samples, a circular buffer
  std::vector<int> newest_;   // per row: where the newest sample is in it
};

// The sample an excitation makes, kept in the sample range.
inline float sample_from_excitation(float prediction, float excitation) {
  const float x = prediction + excitation;
  return x < -1.0f ? -1.0f : (x > 1.0f ? 1.0f : x);
}

// Training's side, in plain loops: the predictions of audio (B x T, row-major) from itself, with
// mel (B x rows x n_mels) giving the predictors of each row's frames and, for long-term
// prediction, f0 (B x T/hop, Hz, 0 unvoiced) the audio's own pitch track. Returns B x T.
std::vector<float> teacher_forced_predictions(const LinearPrediction& prediction, const float* audio, int batch,
                                              int64_t samples, const float* mel, int64_t mel_rows,
                                              const float* f0 = nullptr);

}  // namespace wn
