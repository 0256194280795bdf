#pragma once
// Streaming synthesis on the cached engine: mel frames go in as a front end (a TTS model)
// produces them, audio samples come out as soon as they are final, i.e. as soon as no frame
// still to come can change them. The samples are bit for bit those of one whole-utterance
// CachedEngine::generate call on the same frames with the same seed.
//
// What makes a sample final: the upsampler's convolution over frames and each stage's
// smoothing look ahead a fixed number of frames. After n rows of the engine's mel (the leading
// context rows included), the last stage's input rows [0, final_rows(n)) are final, and with
// them the samples [0, final_samples(n)). The look-ahead, in samples of audio that the received
// mel covers but that are not final yet, is constant once a few frames are in:
// lookahead_samples(). A caller that pushes one frame at a time therefore hears each sample
// lookahead_samples() + one hop after the frame it belongs to arrived, plus the compute time.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "nets/wavenet/engine/cached_engine.h"

namespace wn {

class StreamingSynthesis final : public GeneratorStream {
 public:
  // label: the global condition of a labelled model, or -1. The engine must outlive this.
  StreamingSynthesis(CachedEngine& engine, uint64_t seed, int64_t label = -1, double temperature = 1.0);
  ~StreamingSynthesis() override;

  // Rows of the engine's mel (n_mels values each, row-major), in order: exactly the rows a
  // whole-utterance request would hold, context rows included. Returns the samples that
  // became final.
  std::vector<float> push(const float* rows, int64_t count) override;
  // The utterance ends after the rows pushed so far: returns every remaining sample.
  std::vector<float> finish() override;

  int64_t rows_received() const { return received_; }
  int64_t samples_emitted() const { return run_->steps(); }
  // Last-stage rows and samples that are final after n rows (not at the end of the utterance).
  int64_t final_rows(int64_t n) const;
  int64_t final_samples(int64_t n) const;
  // Samples whose frames have arrived but that are not final yet, once the stream is under way
  // (852 for a frame kernel of 5 and scales 4 x 4 x 4 x 4: 38.6 ms at 22.05 kHz).
  int64_t lookahead_samples() const override;
  const GenerationTimings& timings() const { return run_->timings(); }

 private:
  void update_stage_rows(int64_t final_count);
  std::vector<float> generate_until(int64_t t_end, int64_t rows_known);

  CachedEngine& engine_;
  const EngineUpsampler& upsampler_;
  int n_mels_;
  int64_t received_ = 0;
  bool finished_ = false;
  // Mel rows from mel_first_ on (older ones can no longer reach a row still to come).
  std::vector<float> mel_;
  int64_t mel_first_ = 0;
  // Final last-stage rows from stage_first_ on (older ones no step still to come reads).
  std::vector<float> stage_;
  int64_t stage_first_ = 0, stage_count_ = 0;
  std::unique_ptr<EngineRun> run_;
  PredictorRows predictors_;  // linear prediction's, from every row received
  PitchRows pitch_;           // the pitch source's, likewise
};

}  // namespace wn
