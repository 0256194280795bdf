#include "nets/wavenet/engine/streaming_synthesis.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/errors.h"
#include "nets/outputs/step_sampler.h"

namespace wn {

StreamingSynthesis::StreamingSynthesis(CachedEngine& engine, uint64_t seed, int64_t label, double temperature)
    : engine_(engine), upsampler_(engine.upsampler()), n_mels_(engine.upsampler().n_mels), predictors_(engine.prediction(), 1),
      pitch_(engine.weights().pitch, 1) {
  if (n_mels_ == 0) throw UserError("streaming synthesis needs a mel-conditioned model");
  std::vector<float> terms;
  if (label >= 0) terms = engine.label_terms(torch::tensor({label}, torch::kLong));
  run_ = std::make_unique<EngineRun>(engine.plan(), 1, std::vector<uint64_t>{row_seed(seed, 0)}, std::move(terms), temperature);
}

StreamingSynthesis::~StreamingSynthesis() = default;

int64_t StreamingSynthesis::final_rows(int64_t n) const {
  // The frame convolution has no padding: its output row r is final with input row r+kernel-1.
  // A smoothing stage's output t reads input rows t/s - 1 .. t/s + 1 (and is zero-padded at
  // the end), so it is final when row t/s + 1 is: t < (final input rows - 1) * s.
  int64_t rows = std::max<int64_t>(0, n - upsampler_.kernel + 1);
  for (std::size_t i = 0; i + 1 < upsampler_.scales.size(); ++i) rows = std::max<int64_t>(0, (rows - 1) * upsampler_.scales[i]);
  return rows;
}

int64_t StreamingSynthesis::final_samples(int64_t n) const {
  // The last stage (applied by the engine per chunk) reads rows f-1..f+1 for sample f*s + p.
  return std::max<int64_t>(0, (final_rows(n) - 1) * upsampler_.last_scale());
}

int64_t StreamingSynthesis::lookahead_samples() const {
  // n rows, the first kernel/2 of them leading context, hold the frames of (n - kernel/2) * hop
  // samples; far enough into a stream the gap to the final samples no longer depends on n.
  int64_t hop = upsampler_.last_scale();
  for (std::size_t i = 0; i + 1 < upsampler_.scales.size(); ++i) hop *= upsampler_.scales[i];
  const int64_t n = 64 + upsampler_.kernel;
  return (n - upsampler_.kernel / 2) * hop - final_samples(n);
}

// Appends the last-stage rows [emitted, final_count) to stage_, from a window of the mel that
// reaches back just far enough: the window's own zero padding at its start spoils its first
// rows, those are never used; the rows after them equal the whole utterance's bit for bit
// (every output sums the same terms in the same order).
void StreamingSynthesis::update_stage_rows(int64_t final_count) {
  const int M = n_mels_;
  const int64_t emitted = stage_first_ + stage_count_;
  if (final_count <= emitted) return;
  int64_t spoiled = 0, per_frame = 1;  // rows spoiled by a window start; rows per frame
  for (std::size_t i = 0; i + 1 < upsampler_.scales.size(); ++i) {
    spoiled = (spoiled + 1) * upsampler_.scales[i];
    per_frame *= upsampler_.scales[i];
  }
  const int64_t start = emitted <= spoiled ? 0 : (emitted - spoiled) / per_frame;  // first frame of the window
  const std::vector<float> rows =
      upsampler_.upsample_to_last_stage(mel_.data() + (start - mel_first_) * M, received_ - start);
  const int64_t offset = start * per_frame;  // the window's first row
  stage_.insert(stage_.end(), rows.begin() + (emitted - offset) * M, rows.begin() + (final_count - offset) * M);
  stage_count_ = final_count - stage_first_;
  // Frames before the window can reach no row still to come.
  mel_.erase(mel_.begin(), mel_.begin() + (start - mel_first_) * M);
  mel_first_ = start;
}

std::vector<float> StreamingSynthesis::generate_until(int64_t t_end, int64_t rows_known) {
  const int64_t t = run_->steps();
  if (t_end <= t) return {};
  // Rows the next chunk can read begin at t / scale - 1: drop the ones before.
  const int64_t keep_from = std::max<int64_t>(stage_first_, t / upsampler_.last_scale() - 1);
  stage_.erase(stage_.begin(), stage_.begin() + (keep_from - stage_first_) * n_mels_);
  stage_count_ -= keep_from - stage_first_;
  stage_first_ = keep_from;
  StageRows rows;
  rows.data = stage_.data();
  rows.capacity = stage_count_;
  rows.count = rows_known;
  rows.first = stage_first_;
  std::vector<float> audio(static_cast<std::size_t>(t_end - t));
  StepSinks sinks;
  sinks.audio = audio.data();
  sinks.first_step = t;
  if (engine_.prediction().active()) sinks.predictors = &predictors_;
  if (engine_.weights().pitch.active()) sinks.pitch = &pitch_;
  run_->advance(t_end, rows, sinks, engine_.team());
  return audio;
}

std::vector<float> StreamingSynthesis::push(const float* rows, int64_t count) {
  if (finished_) throw UserError("streaming synthesis: push after finish");
  mel_.insert(mel_.end(), rows, rows + count * n_mels_);
  predictors_.add(0, rows, count);
  pitch_.add(0, rows, count);
  received_ += count;
  const int64_t final_count = final_rows(received_);
  update_stage_rows(final_count);
  return generate_until(final_samples(received_), final_count);
}

std::vector<float> StreamingSynthesis::finish() {
  if (finished_) return {};
  finished_ = true;
  if (received_ < upsampler_.kernel) return {};  // no whole frame: no audio (as a whole request)
  int64_t all_rows = received_ - upsampler_.kernel + 1;
  for (std::size_t i = 0; i + 1 < upsampler_.scales.size(); ++i) all_rows *= upsampler_.scales[i];
  update_stage_rows(all_rows);
  return generate_until(all_rows * upsampler_.last_scale(), all_rows);
}

}  // namespace wn
