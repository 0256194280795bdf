#include "experiments/synth_stream.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/errors.h"
#include "core/log.h"
#include "dataio/audio_cleaning.h"
#include "dataio/audio_io.h"
#include "dataio/loader.h"
#include "dataio/mel.h"

namespace wn::cli {
namespace {

// The engine's rows for frames as synth's whole-utterance path makes them: standardised when
// the model was trained on standardised mels; context rows are silence.
class RowMaker {
 public:
  explicit RowMaker(const LoadedModel& model) : model_(model), n_mels_(model.config.audio.n_mels) {
    if (model.config.data.normalize_mel && model.mel_mean.size() != static_cast<std::size_t>(n_mels_)) {
      throw UserError(model.checkpoint.string() + ": trained with data.normalize_mel but holds no mel statistics (an older checkpoint)");
    }
  }
  void standardise(float* rows, int64_t count) const {
    if (model_.config.data.normalize_mel) MelNormalizer(model_.mel_mean, model_.mel_std).apply(rows, count);
  }
  std::vector<float> silence(int64_t count) const {
    std::vector<float> rows(static_cast<std::size_t>(count * n_mels_), MelSpectrogram(model_.config.audio).silence_value());
    standardise(rows.data(), count);
    return rows;
  }

 private:
  const LoadedModel& model_;
  int n_mels_;
};

// Standard input in whatever pieces arrive; false at its end.
bool read_some(std::vector<char>& pending) {
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (got > 0) {
      pending.insert(pending.end(), buffer, buffer + got);
      return true;
    }
    if (got == 0) return false;
    if (errno != EINTR) throw IoError(std::string("standard input: ") + std::strerror(errno));
  }
}

}  // namespace

int64_t synthesize_stream(Generator& generator, const LoadedModel& model, const StreamSettings& s) {
  const int n_mels = model.config.audio.n_mels;
  const int context = model.model->data_needs().context_frames;
  std::unique_ptr<GeneratorStream> stream = generator.stream(s.seed, s.label, s.temperature);
  if (!stream) throw UserError(model.checkpoint.string() + ": model.type=" + model.config.model.type + " cannot stream (it needs a mel-conditioned model)");
  const RowMaker rows(model);
  const bool to_stdout = s.out == "-";
  std::vector<float> kept;  // for a wav
  int64_t written = 0;
  EmphasisUndo undo(model.config.audio);  // the model's time domain back to plain audio
  auto emit = [&](std::vector<float> samples) {
    if (samples.empty()) return;
    undo.apply(samples);
    written += static_cast<int64_t>(samples.size());
    if (!to_stdout) {
      kept.insert(kept.end(), samples.begin(), samples.end());
      return;
    }
    if (std::fwrite(samples.data(), sizeof(float), samples.size(), stdout) != samples.size() || std::fflush(stdout) != 0) {
      throw IoError(std::string("standard output: ") + std::strerror(errno));
    }
  };
  WN_LOG(info) << "streaming: " << n_mels << " float32 values per frame on standard input; a sample is final "
               << stream->lookahead_samples() << " samples after the frame that covers it arrived";
  const std::vector<float> leading = rows.silence(context);
  emit(stream->push(leading.data(), context));
  std::vector<char> pending;
  const std::size_t frame_bytes = sizeof(float) * static_cast<std::size_t>(n_mels);
  int64_t frames = 0;
  for (bool more = true; more;) {
    more = read_some(pending);
    const std::size_t whole = pending.size() / frame_bytes;
    if (whole == 0) continue;
    std::vector<float> batch(whole * n_mels);
    std::memcpy(batch.data(), pending.data(), whole * frame_bytes);
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(whole * frame_bytes));
    rows.standardise(batch.data(), static_cast<int64_t>(whole));
    emit(stream->push(batch.data(), static_cast<int64_t>(whole)));
    frames += static_cast<int64_t>(whole);
  }
  if (frames == 0) throw UserError("standard input held no mel frame");
  const std::vector<float> trailing = rows.silence(context);
  emit(stream->push(trailing.data(), context));
  emit(stream->finish());
  if (!to_stdout) write_wav(s.out, kept, model.config.audio.sample_rate, s.float_wav ? WavEncoding::float32 : WavEncoding::pcm16);
  // A cut-off last frame loses nothing before it: the whole frames are out, then the error.
  if (!pending.empty()) {
    throw UserError("standard input ended inside a frame: " + std::to_string(pending.size()) + " bytes after " +
                    std::to_string(frames) + " frames of " + std::to_string(frame_bytes) + " bytes (those were synthesised)");
  }
  return written;
}

}  // namespace wn::cli
