#pragma once
// A small corpus (shards + manifest written directly) and a small config, so training tests
// run in seconds.

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config/config_io.h"
#include "dataio/manifest.h"
#include "dataio/shard_writer.h"

namespace wn::test {

inline Config small_training_config(std::vector<std::string> overrides = {}) {
  std::vector<std::string> base = {
      "audio.hop_length=16", "audio.n_mels=8", "audio.n_fft=64", "audio.win_length=64", "audio.fmin=0",
      "audio.fmax=4000", "audio.sample_rate=8000",
      "model.layers=4", "model.stacks=2", "model.residual_channels=8", "model.gate_channels=16",
      "model.skip_channels=8", "model.kernel_size=2", "model.upsample_scales=4,4", "model.input=mulaw",
      "model.output=softmax", "train.batch_size=2", "train.max_time_steps=128", "train.max_steps=6",
      "train.log_every=2", "train.eval_every=0", "train.checkpoint_every=3", "train.lr_schedule=constant",
      "train.lr=0.003", "train.device=cpu", "train.ema_decay=0.9", "train.dist_timeout_s=20"};
  base.insert(base.end(), overrides.begin(), overrides.end());
  return resolve_config(std::nullopt, base);
}

// A small SampleRNN on the same audio recipe (TBPTT chunks of 64 samples).
inline Config small_samplernn_config(std::vector<std::string> overrides = {}) {
  std::vector<std::string> base = {
      "audio.hop_length=16", "audio.n_mels=8", "audio.n_fft=64", "audio.win_length=64", "audio.fmin=0",
      "audio.fmax=4000", "audio.sample_rate=8000", "model.type=samplernn", "model.frame_sizes=8,2",
      "model.rnn_dim=16", "model.mlp_dim=16", "model.embedding_dim=4", "model.quantize_channels=32",
      "model.quantization=linear",
      "model.local_conditioning=false", "train.batch_size=2", "train.max_time_steps=64", "train.max_steps=6",
      "train.log_every=2", "train.eval_every=0", "train.checkpoint_every=3", "train.lr_schedule=constant",
      "train.lr=0.003", "train.device=cpu", "train.ema_decay=0.9", "train.dist_timeout_s=20"};
  base.insert(base.end(), overrides.begin(), overrides.end());
  return resolve_config(std::nullopt, base);
}

// `count` utterances of tones with noise (mel = a deterministic function of the frame), labels
// alternating between two speakers, targets 0.5 * index. Audio values are replaced by `fill` when it is set (NaN
// tests).
inline void write_small_corpus(const std::filesystem::path& dir, const Config& config, int count = 6,
                               float fill = 0.0f, bool use_fill = false) {
  std::filesystem::create_directories(dir);
  const int hop = config.audio.hop_length, n_mels = config.audio.n_mels;
  std::vector<ShardUtterance> train, valid;
  for (int i = 0; i < count; ++i) {
    ShardUtterance u;
    u.name = "utt" + std::to_string(i);
    u.label = i % 2;
    u.target = 0.5f * static_cast<float>(i);
    const int frames = 20 + 3 * i;
    u.audio.resize(static_cast<std::size_t>(frames * hop));
    u.mel.resize(static_cast<std::size_t>(frames * n_mels));
    for (std::size_t t = 0; t < u.audio.size(); ++t) {
      u.audio[t] = use_fill ? fill : 0.5f * std::sin(0.05f * (i + 1) * t) + 0.05f * std::sin(1.7f * t * t);
    }
    for (std::size_t k = 0; k < u.mel.size(); ++k) u.mel[k] = std::cos(0.3f * k + i) - 2.0f;
    (i == count - 1 ? valid : train).push_back(std::move(u));
  }
  const ShardAttributes attributes{config.audio.sample_rate, hop, n_mels, /*has_targets=*/true};
  write_shard(dir / "train-00000.h5", attributes, train);
  write_shard(dir / "valid-00000.h5", attributes, valid);
  Manifest m;
  m.config = config;
  m.train_shards = {{"train-00000.h5", static_cast<int64_t>(train.size()), 1.0}};
  m.valid_shards = {{"valid-00000.h5", 1, 1.0}};
  m.labels = {"alice", "bob"};
  m.mel_mean.assign(static_cast<std::size_t>(n_mels), -2.0);
  m.mel_std.assign(static_cast<std::size_t>(n_mels), 1.0);
  m.target = {"column", count - 1, 0.25 * (count - 2), 1.0};
  write_manifest(dir, m, "test");
}

}  // namespace wn::test
