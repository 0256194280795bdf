#include "dataio/loader.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "core/errors.h"
#include "dataio/mel.h"
#include "dataio/pitch.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

// SplitMix64: a cheap, well-mixed hash to derive independent seeds from (seed, index).
uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct CropLayout {
  int64_t history;  // samples before the crop
  int64_t samples;
  int64_t frames;  // samples / hop
  int context;
  int hop;
  int n_mels;
  float silence;   // mel value outside an utterance, before normalisation
  const MelNormalizer* normalizer = nullptr;
  bool f0 = false;
};

// The pitch track (pitch.h's YIN, default settings) at mel rows [first, first + rows) of utterance
// u, and the fundamental's phase where voiced: row r's frame centred on sample r * hop like the
// mel's, from the audio around it (silence outside the utterance), so a crop's track equals the
// whole utterance's at the same rows.
void fill_f0(const ShardReader& shard, std::size_t u, int64_t first, int64_t rows, const CropLayout& c, float* out,
             float* phase_out) {
  PitchSettings settings;
  settings.frame_period = c.hop;
  const int sample_rate = shard.attributes().sample_rate;
  // YIN reads from half a window before a frame's centre to a window and a lag after it.
  const int64_t lag = static_cast<int64_t>(std::ceil(sample_rate / settings.min_hz)) + 2;
  const int64_t margin = (2 * lag + c.hop - 1) / c.hop;
  const int64_t begin = (first - margin) * c.hop, end = (first + rows + margin) * c.hop;
  const int64_t read_begin = std::max<int64_t>(0, begin), read_end = std::min<int64_t>(shard.samples(u), end);
  std::vector<float> segment(static_cast<std::size_t>(end - begin), 0.0f);
  if (read_end > read_begin) {
    const auto audio = shard.read_audio(u, read_begin, read_end - read_begin);
    std::copy(audio.begin(), audio.end(), segment.begin() + (read_begin - begin));
  }
  const std::vector<double> track = track_f0(segment, sample_rate, settings);
  for (int64_t r = 0; r < rows; ++r) {
    const double f0 = track[static_cast<std::size_t>(margin + r)];
    out[r] = static_cast<float>(f0);
    phase_out[r] = f0 > 0 ? static_cast<float>(fundamental_phase(segment, (margin + r) * c.hop, f0, sample_rate)) : 0.0f;
  }
}

// Copies one crop of utterance `u` into audio_out (history + samples) and mel_out
// ((frames + 2*context) x n_mels), padding with silence wherever the crop runs past the utterance.
void fill_crop(const ShardReader& shard, std::size_t u, int64_t start_frame, const CropLayout& c,
               float* audio_out, float* mel_out, float* f0_out, float* phase_out) {
  const int64_t total_frames = shard.frames(u);
  const int64_t audio_start = start_frame * c.hop;
  const int64_t read_start = std::max<int64_t>(0, audio_start - c.history);
  const int64_t silent = read_start - (audio_start - c.history);  // history before the utterance
  const int64_t wanted = c.history + c.samples - silent;
  const int64_t audio_count = std::clamp<int64_t>(shard.samples(u) - read_start, 0, wanted);
  const auto audio = shard.read_audio(u, read_start, audio_count);
  const int64_t length = c.history + c.samples;
  std::fill(audio_out, audio_out + silent, 0.0f);
  std::copy(audio.begin(), audio.end(), audio_out + silent);
  std::fill(audio_out + silent + audio_count, audio_out + length, 0.0f);

  const int64_t first = start_frame - c.context;
  const int64_t rows = c.frames + 2 * c.context;
  const int64_t read_begin = std::max<int64_t>(first, 0);
  const int64_t read_end = std::min<int64_t>(first + rows, total_frames);
  std::fill(mel_out, mel_out + rows * c.n_mels, c.silence);
  if (read_end > read_begin) {
    const auto mel = shard.read_mel(u, read_begin, read_end - read_begin);
    std::copy(mel.begin(), mel.end(), mel_out + (read_begin - first) * c.n_mels);
  }
  if (c.normalizer) c.normalizer->apply(mel_out, rows);
  if (c.f0) fill_f0(shard, u, first, rows, c, f0_out, phase_out);
}

at::Tensor targets_from(const at::Tensor& audio, const LoaderOptions& o) {
  if (!o.quantized_targets) return audio.clone();
  at::Tensor t = at::empty(audio.sizes(), at::kLong);
  const float* a = audio.data_ptr<float>();
  int64_t* out = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < audio.numel(); ++i) out[i] = quantize_sample(a[i], o.quantize_channels, o.quantization);
  return t;
}

void check_layout(const LoaderOptions& o, int hop) {
  if (o.crop_samples <= 0 || o.crop_samples % hop != 0) {
    throw UserError("crop length " + std::to_string(o.crop_samples) +
                    " must be a positive multiple of the shards' hop length " + std::to_string(hop));
  }
  if (o.world_size < 1 || o.rank < 0 || o.rank >= o.world_size) {
    throw UserError("rank " + std::to_string(o.rank) + " is outside world size " +
                    std::to_string(o.world_size));
  }
}

void check_targets(const LoaderOptions& o, const Manifest& manifest, const fs::path& where) {
  if (o.targets && !manifest.target.present()) {
    throw UserError(where.string() + ": the corpus has no targets; preprocess it with data.target=column or "
                    "data.target=popularity");
  }
}

float standardised(float target, const TargetStats& stats) {
  return static_cast<float>((target - stats.mean) / stats.std);
}

}  // namespace

MelNormalizer::MelNormalizer(const Manifest& manifest) : MelNormalizer(manifest.mel_mean, manifest.mel_std) {}

MelNormalizer::MelNormalizer(const std::vector<double>& mean, const std::vector<double>& std) {
  for (std::size_t b = 0; b < mean.size() && b < std.size(); ++b) {
    mean_.push_back(static_cast<float>(mean[b]));
    inv_std_.push_back(static_cast<float>(1.0 / std::max(std[b], 1e-5)));
  }
}

void MelNormalizer::apply(float* mel, int64_t frames) const {
  const std::size_t n_mels = mean_.size();
  for (int64_t f = 0; f < frames; ++f) {
    float* row = mel + f * static_cast<int64_t>(n_mels);
    for (std::size_t b = 0; b < n_mels; ++b) row[b] = (row[b] - mean_[b]) * inv_std_[b];
  }
}

UtteranceTable::UtteranceTable(const fs::path& dir, const std::vector<ShardEntry>& shards, const Manifest& manifest) {
  const AudioConfig& audio = manifest.config.audio;
  for (const auto& entry : shards) {
    readers_.push_back(std::make_unique<ShardReader>(dir / entry.file));
    const ShardReader& shard = *readers_.back();
    const ShardAttributes& a = shard.attributes();
    if (a.sample_rate != audio.sample_rate || a.hop_length != audio.hop_length || a.n_mels != audio.n_mels) {
      throw IoError(shard.path().string() + ": made with sample_rate/hop_length/n_mels " + std::to_string(a.sample_rate) +
                    "/" + std::to_string(a.hop_length) + "/" + std::to_string(a.n_mels) + ", but the manifest says " +
                    std::to_string(audio.sample_rate) + "/" + std::to_string(audio.hop_length) + "/" +
                    std::to_string(audio.n_mels) + " (a shard of another corpus?)");
    }
    if (static_cast<int64_t>(shard.size()) != entry.utterances) {
      throw IoError(shard.path().string() + ": holds " + std::to_string(shard.size()) + " utterances, the manifest says " +
                    std::to_string(entry.utterances));
    }
    shard.check_label_ids(manifest.labels.size());
    if (manifest.target.present() && !a.has_targets) {
      throw IoError(shard.path().string() + ": has no targets, but the manifest says data.target=" + manifest.target.kind);
    }
    for (std::size_t i = 0; i < readers_.back()->size(); ++i) index_.emplace_back(readers_.size() - 1, i);
  }
}

TrainLoader::TrainLoader(const fs::path& data_dir, const Manifest& manifest,
                         const LoaderOptions& options, int64_t start_batch)
    : dir_(data_dir),
      options_(options),
      hop_(manifest.config.audio.hop_length),
      n_mels_(manifest.config.audio.n_mels),
      silence_(MelSpectrogram(manifest.config.audio).silence_value()),
      normalizer_(manifest),
      target_stats_(manifest.target),
      table_(data_dir, manifest.train_shards, manifest),
      next_index_(start_batch) {
  check_layout(options, hop_);
  check_targets(options, manifest, data_dir);
  if (table_.size() == 0) throw UserError(data_dir.string() + ": no training utterances");
  cursors_.resize(static_cast<std::size_t>(options.batch_size));
  reader_ = std::thread([this] { read_ahead(); });
}

TrainLoader::~TrainLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (reader_.joinable()) reader_.join();
}

std::size_t TrainLoader::utterance_in_order(int64_t position) const {
  const auto n = static_cast<int64_t>(table_.size());
  const int64_t epoch = position / n;
  // A fresh shuffle of every utterance of every shard, per epoch (cached: positions of one
  // epoch are asked for in a row).
  std::lock_guard<std::mutex> lock(order_mutex_);
  if (order_epoch_ != epoch) {
    order_.resize(table_.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::mt19937_64 shuffle_rng(mix(options_.seed, static_cast<uint64_t>(epoch)));
    std::shuffle(order_.begin(), order_.end(), shuffle_rng);
    order_epoch_ = epoch;
  }
  return order_[static_cast<std::size_t>(position % n)];
}

CropChoice TrainLoader::choose_sequential(int64_t stream, int64_t index) const {
  std::lock_guard<std::mutex> lock(cursor_mutex_);
  return walk_stream(stream, index);
}

CropChoice TrainLoader::walk_stream(int64_t stream, int64_t index) const {
  // Stream s reads the utterances at positions s, s + S, s + 2S, ... of the shuffled order
  // (S streams in all), each as its whole crops one after another (a tail shorter than a crop
  // is left out; an utterance shorter than one crop is one crop padded with silence).
  const int64_t streams = static_cast<int64_t>(options_.world_size) * options_.batch_size;
  const int64_t crop_frames = options_.crop_samples / hop_;
  auto crops_of = [&](int64_t k) {
    return std::max<int64_t>(1, table_.frames(utterance_in_order(stream + k * streams)) / crop_frames);
  };
  const int64_t row = stream - static_cast<int64_t>(options_.rank) * options_.batch_size;
  if (row < 0 || row >= options_.batch_size) {
    throw std::invalid_argument("stream " + std::to_string(stream) + " is not one of rank " + std::to_string(options_.rank) + "'s");
  }
  StreamCursor& cursor = cursors_[static_cast<std::size_t>(row)];
  if (cursor.index > index) cursor = StreamCursor{};
  while (cursor.index < index) {
    if (++cursor.chunk >= crops_of(cursor.utterance_k)) {
      ++cursor.utterance_k;
      cursor.chunk = 0;
    }
    ++cursor.index;
  }
  CropChoice choice;
  choice.utterance = utterance_in_order(stream + cursor.utterance_k * streams);
  choice.start_frame = cursor.chunk * crop_frames;
  choice.starts_utterance = cursor.chunk == 0;
  return choice;
}

CropChoice TrainLoader::choose(int64_t global_sample) const {
  CropChoice choice;
  choice.utterance = utterance_in_order(global_sample);
  const int64_t crop_frames = options_.crop_samples / hop_;
  const int64_t spare = table_.frames(choice.utterance) - crop_frames;
  if (spare > 0) {
    std::mt19937_64 crop_rng(mix(options_.seed ^ 0x5eedull, static_cast<uint64_t>(global_sample)));
    choice.start_frame = std::uniform_int_distribution<int64_t>(0, spare)(crop_rng);
  }
  return choice;
}

Batch TrainLoader::make_batch(int64_t index) const {
  const int b = options_.batch_size;
  const int64_t frames = options_.crop_samples / hop_;
  const int64_t rows = frames + 2 * options_.context_frames;
  const int64_t length = options_.history_samples + options_.crop_samples;
  Batch batch;
  batch.index = index;
  batch.audio = at::empty({b, length}, at::kFloat);
  batch.mel = at::empty({b, rows, n_mels_}, at::kFloat);
  batch.label = at::empty({b}, at::kLong);
  batch.reset = at::empty({b}, at::kBool);
  if (options_.targets) batch.utterance_target = at::empty({b}, at::kFloat);
  if (options_.f0) {
    batch.f0 = at::empty({b, rows}, at::kFloat);
    batch.f0_phase = at::empty({b, rows}, at::kFloat);
  }
  const CropLayout layout{options_.history_samples, options_.crop_samples, frames, options_.context_frames, hop_,
                          n_mels_, silence_, options_.normalize_mel ? &normalizer_ : nullptr, options_.f0};
  std::lock_guard<std::mutex> lock(cursor_mutex_);
  for (int j = 0; j < b; ++j) {
    const int64_t global = (index * options_.world_size + options_.rank) * b + j;
    const CropChoice c = options_.sequential ? walk_stream(static_cast<int64_t>(options_.rank) * b + j, index)
                                             : choose(global);
    const ShardReader& shard = table_.shard_of(c.utterance);
    const std::size_t local = table_.local_index(c.utterance);
    fill_crop(shard, local, c.start_frame, layout, batch.audio.data_ptr<float>() + j * length,
              batch.mel.data_ptr<float>() + j * rows * n_mels_, options_.f0 ? batch.f0.data_ptr<float>() + j * rows : nullptr,
              options_.f0 ? batch.f0_phase.data_ptr<float>() + j * rows : nullptr);
    batch.label.data_ptr<int64_t>()[j] = shard.label(local);
    batch.reset.data_ptr<bool>()[j] = c.starts_utterance;
    if (options_.targets) batch.utterance_target.data_ptr<float>()[j] = standardised(shard.target(local), target_stats_);
  }
  batch.target = targets_from(batch.audio, options_);
  return batch;
}

void TrainLoader::read_ahead() {
  int64_t index = next_index_;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || static_cast<int>(queue_.size()) < options_.prefetch_batches;
      });
      if (stopping_) return;
    }
    try {
      Batch batch = make_batch(index++);
      if (options_.pin_memory) {
        for (at::Tensor* t : {&batch.audio, &batch.target, &batch.mel, &batch.label, &batch.reset, &batch.utterance_target}) {
          if (t->defined()) *t = t->pin_memory();
        }
      }
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(batch));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
      changed_.notify_all();
      return;
    }
    changed_.notify_all();
  }
}

Batch TrainLoader::next() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !queue_.empty() || failure_; });
  if (queue_.empty() && failure_) std::rethrow_exception(failure_);
  Batch batch = std::move(queue_.front());
  queue_.pop_front();
  ++next_index_;
  lock.unlock();
  changed_.notify_all();
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return batch;
}

ValidationSet::ValidationSet(const fs::path& data_dir, const Manifest& manifest)
    : manifest_(manifest), normalizer_(manifest), table_(data_dir, manifest.valid_shards, manifest) {}

std::vector<Batch> ValidationSet::crop_batches(const LoaderOptions& options, std::size_t max_crops) const {
  const int hop = manifest_.config.audio.hop_length;
  const int n_mels = manifest_.config.audio.n_mels;
  check_layout(options, hop);
  check_targets(options, manifest_, "the validation split");
  const float silence = MelSpectrogram(manifest_.config.audio).silence_value();
  const int64_t frames = options.crop_samples / hop;
  const int64_t rows = frames + 2 * options.context_frames;
  const int64_t length = options.history_samples + options.crop_samples;
  const std::size_t count = std::min(max_crops, table_.size());
  std::vector<Batch> batches;
  for (std::size_t first = 0; first < count; first += static_cast<std::size_t>(options.batch_size)) {
    const auto b = static_cast<int64_t>(std::min<std::size_t>(options.batch_size, count - first));
    Batch batch;
    batch.index = static_cast<int64_t>(batches.size());
    batch.audio = at::empty({b, length}, at::kFloat);
    batch.mel = at::empty({b, rows, n_mels}, at::kFloat);
    batch.label = at::empty({b}, at::kLong);
    batch.reset = at::ones({b}, at::kBool);
    if (options.targets) batch.utterance_target = at::empty({b}, at::kFloat);
    if (options.f0) {
      batch.f0 = at::empty({b, rows}, at::kFloat);
      batch.f0_phase = at::empty({b, rows}, at::kFloat);
    }
    const CropLayout layout{options.history_samples, options.crop_samples, frames, options.context_frames, hop, n_mels,
                            silence, options.normalize_mel ? &normalizer_ : nullptr, options.f0};
    for (int64_t j = 0; j < b; ++j) {
      const std::size_t u = first + static_cast<std::size_t>(j);
      fill_crop(table_.shard_of(u), table_.local_index(u), 0, layout,
                batch.audio.data_ptr<float>() + j * length,
                batch.mel.data_ptr<float>() + j * rows * n_mels, options.f0 ? batch.f0.data_ptr<float>() + j * rows : nullptr,
                options.f0 ? batch.f0_phase.data_ptr<float>() + j * rows : nullptr);
      batch.label.data_ptr<int64_t>()[j] = table_.shard_of(u).label(table_.local_index(u));
      if (options.targets) {
        batch.utterance_target.data_ptr<float>()[j] = standardised(table_.shard_of(u).target(table_.local_index(u)), manifest_.target);
      }
    }
    batch.target = targets_from(batch.audio, options);
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace wn
