#pragma once
// Training batches from preprocessed shards, crops aligned to mel frames, with the extra context
// frames the conditioning convs need and the samples before each crop a model reads as history,
// as tensors. Two orders: independent random crops, or (sequential, for truncated
// backpropagation through time) each batch row reading consecutive crops of one utterance after
// another. Either stream is a pure function of (seed, batch index, rank): resuming at batch k
// reproduces it exactly, and ranks get disjoint samples; for random crops one process with batch
// 2B also sees the same samples as two ranks with batch B. A background thread reads ahead (all
// HDF5 calls happen on it).

#include <ATen/core/Tensor.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dataio/manifest.h"
#include "dataio/quantization.h"
#include "dataio/shard_reader.h"

namespace wn {

struct LoaderOptions {
  int batch_size = 2;
  int64_t crop_samples = 8192;   // multiple of hop_length
  int context_frames = 0;        // extra mel frames on each side of a crop
  int history_samples = 0;       // samples before each crop delivered with it (silence before an utterance)
  bool sequential = false;       // consecutive crops of one utterance per row (TBPTT)
  bool quantized_targets = false;  // targets as classes (else float samples)
  int quantize_channels = 256;
  Quantization quantization = Quantization::mulaw;
  bool normalize_mel = false;    // standardise with the manifest's training statistics
  bool f0 = false;               // deliver Batch::f0 and f0_phase, the audio's pitch track at each mel row
  bool targets = false;          // deliver Batch::utterance_target (the corpus must have targets)
  uint64_t seed = 1234;
  int rank = 0;
  int world_size = 1;
  int prefetch_batches = 4;
  // Page-locked batches (the loader thread pins them), so copies to a GPU run asynchronously.
  // Only for CUDA training: pinning needs a CUDA runtime.
  bool pin_memory = false;
};

struct Batch {
  int64_t index = 0;   // position in this rank's stream
  at::Tensor audio;    // (B, history + T) float32: the history samples, then the crop
  at::Tensor target;   // (B, history + T) int64 classes, or float32 samples
  at::Tensor mel;      // (B, T/hop + 2*context, n_mels) float32
  at::Tensor f0;       // (B, T/hop + 2*context) float32 Hz, 0 = unvoiced (LoaderOptions::f0), else undefined
  at::Tensor f0_phase; // likewise: the fundamental's phase (cycles) at each row's centre, 0 where unvoiced
  at::Tensor label;    // (B) int64, -1 where the corpus has no labels
  at::Tensor utterance_target;  // (B) float32: the crop's utterance's target, standardised with the manifest's
                                // training statistics (LoaderOptions::targets), else undefined
  at::Tensor reset;    // (B) bool: the row's crop starts an utterance (always, for random crops)
};

// Which utterance and which crop the g-th sample of the whole stream is. Exposed for tests.
struct CropChoice {
  std::size_t utterance = 0;  // index into the training utterance table
  int64_t start_frame = 0;
  bool starts_utterance = true;
};

// Standardises mel bins with the manifest's training-split mean and standard deviation.
class MelNormalizer {
 public:
  explicit MelNormalizer(const Manifest& manifest);
  MelNormalizer(const std::vector<double>& mean, const std::vector<double>& std);  // as checkpoints store them
  void apply(float* mel, int64_t frames) const;  // rows of n_mels, in place

 private:
  std::vector<float> mean_, inv_std_;
};

// Utterances of a set of shards, addressable by one index. Each shard must agree with the
// manifest that lists it (utterance count, sample rate, hop, n_mels, label ids it knows, targets
// when the manifest has them), or opening throws IoError naming the shard (and the utterance).
class UtteranceTable {
 public:
  UtteranceTable(const std::filesystem::path& dir, const std::vector<ShardEntry>& shards, const Manifest& manifest);
  std::size_t size() const { return index_.size(); }
  const ShardReader& shard_of(std::size_t i) const { return *readers_[index_[i].first]; }
  std::size_t local_index(std::size_t i) const { return index_[i].second; }
  int64_t frames(std::size_t i) const { return shard_of(i).frames(local_index(i)); }
  ShardUtterance read(std::size_t i) const { return shard_of(i).read_utterance(local_index(i)); }

 private:
  std::vector<std::unique_ptr<ShardReader>> readers_;
  std::vector<std::pair<std::size_t, std::size_t>> index_;
};

class TrainLoader {
 public:
  TrainLoader(const std::filesystem::path& data_dir, const Manifest& manifest,
              const LoaderOptions& options, int64_t start_batch = 0);
  ~TrainLoader();
  TrainLoader(const TrainLoader&) = delete;
  TrainLoader& operator=(const TrainLoader&) = delete;

  // The next batch of this rank's stream; blocks until the reader thread has it.
  Batch next();
  // Batches returned so far, counting from 0 (store it in checkpoints to resume).
  int64_t position() const { return next_index_; }
  // Seconds next() spent waiting for data, in total.
  double wait_seconds() const { return wait_seconds_; }

  CropChoice choose(int64_t global_sample) const;
  // Sequential order: the crop of this rank's stream `stream` (rank * batch_size + row) at batch
  // `index`. Thread-safe; the reader thread walks the streams too.
  CropChoice choose_sequential(int64_t stream, int64_t index) const;
  // Builds batch `index` synchronously (the reader thread calls this).
  Batch make_batch(int64_t index) const;

 private:
  void read_ahead();

  std::filesystem::path dir_;
  LoaderOptions options_;
  int hop_;
  int n_mels_;
  float silence_;
  MelNormalizer normalizer_;
  TargetStats target_stats_;
  UtteranceTable table_;
  mutable std::mutex order_mutex_;
  mutable int64_t order_epoch_ = -1;
  mutable std::vector<std::size_t> order_;
  std::size_t utterance_in_order(int64_t position) const;  // epoch-shuffled order, all epochs
  CropChoice walk_stream(int64_t stream, int64_t index) const;  // choose_sequential, lock held
  // Sequential streams: where each stream's walk through its utterances stands (the reader
  // asks for batches in order, so a walk continues from its last answer).
  struct StreamCursor {
    int64_t index = 0;        // batch index of the crop below
    int64_t utterance_k = 0;  // the stream's k-th utterance
    int64_t chunk = 0;        // crop within it
  };
  mutable std::mutex cursor_mutex_;
  mutable std::vector<StreamCursor> cursors_;  // this rank's streams

  int64_t next_index_;
  double wait_seconds_ = 0.0;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread reader_;
};

// The validation split: whole utterances (for copy-synthesis) and deterministic crops (for a
// stable validation loss): crop i starts at frame 0 of utterance i.
class ValidationSet {
 public:
  ValidationSet(const std::filesystem::path& data_dir, const Manifest& manifest);
  std::size_t size() const { return table_.size(); }
  ShardUtterance utterance(std::size_t i) const { return table_.read(i); }
  std::vector<Batch> crop_batches(const LoaderOptions& options, std::size_t max_crops) const;

 private:
  Manifest manifest_;
  MelNormalizer normalizer_;
  UtteranceTable table_;
};

}  // namespace wn
