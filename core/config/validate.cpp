#include "core/config/validate.h"

#include <cmath>
#include <functional>
#include <numeric>
#include <regex>
#include <sstream>

#include "core/errors.h"
#include "core/strings.h"

namespace wn {
namespace {

template <class T>
std::string show(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return "'" + value + "'";
  } else if constexpr (std::is_floating_point_v<T>) {
    return format_double(value);
  } else {
    std::ostringstream out;
    out << value;
    return out.str();
  }
}

std::string join_ints(const std::vector<int>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out;
}

// Collects problems as "<key> must <rule>, got <value>" sentences.
class Checker {
 public:
  explicit Checker(std::vector<std::string>& problems) : problems_(problems) {}

  template <class T>
  void check(bool ok, const std::string& key, const std::string& rule, const T& value) {
    if (!ok) problems_.push_back(key + " must " + rule + ", got " + show(value));
  }
  template <class T>
  void positive(const std::string& key, const T& value) {
    check(value > 0, key, "be positive", value);
  }
  template <class T>
  void non_negative(const std::string& key, const T& value) {
    check(value >= 0, key, "be zero or more", value);
  }
  // Half-open [lo, hi) unless hi_inclusive.
  void in_range(const std::string& key, double value, double lo, double hi, bool hi_inclusive) {
    const bool ok = std::isfinite(value) && value >= lo && (hi_inclusive ? value <= hi : value < hi);
    check(ok, key,
          "be in [" + format_double(lo) + ", " + format_double(hi) + (hi_inclusive ? "]" : ")"),
          value);
  }
  void one_of(const std::string& key, const std::string& value,
              const std::vector<std::string>& allowed) {
    const bool ok = std::find(allowed.begin(), allowed.end(), value) != allowed.end();
    check(ok, key, "be one of " + join(allowed, ", "), value);
  }
  void finite(const std::string& key, double value) {
    check(std::isfinite(value), key, "be a finite number", value);
  }
  void require(bool ok, const std::string& sentence) {
    if (!ok) problems_.push_back(sentence);
  }

 private:
  std::vector<std::string>& problems_;
};

void check_audio(const AudioConfig& a, Checker& c) {
  c.check(a.sample_rate >= 1000 && a.sample_rate <= 384000, "audio.sample_rate",
          "be in [1000, 384000]", a.sample_rate);
  c.check(a.n_fft >= 16, "audio.n_fft", "be at least 16", a.n_fft);
  c.check(a.win_length >= 1 && a.win_length <= a.n_fft, "audio.win_length",
          "be in [1, audio.n_fft=" + std::to_string(a.n_fft) + "]", a.win_length);
  c.check(a.hop_length >= 1 && a.hop_length <= a.n_fft, "audio.hop_length",
          "be in [1, audio.n_fft=" + std::to_string(a.n_fft) + "]", a.hop_length);
  c.check(a.n_mels >= 1 && a.n_mels <= a.n_fft / 2 + 1, "audio.n_mels",
          "be in [1, n_fft/2+1=" + std::to_string(a.n_fft / 2 + 1) + "]", a.n_mels);
  c.non_negative("audio.fmin", a.fmin);
  c.check(a.fmax > a.fmin && a.fmax <= a.sample_rate / 2.0, "audio.fmax",
          "be above audio.fmin and at most sample_rate/2=" + format_double(a.sample_rate / 2.0),
          a.fmax);
  c.check(a.power == 1 || a.power == 2, "audio.power", "be 1 or 2", a.power);
  c.one_of("audio.compression", a.compression, {"log10", "ln", "db"});
  c.check(a.log_floor > 0 && std::isfinite(a.log_floor), "audio.log_floor", "be positive",
          a.log_floor);
  c.non_negative("audio.trim_top_db", a.trim_top_db);
  c.check(a.highpass_hz >= 0 && a.highpass_hz < a.sample_rate / 2.0, "audio.highpass_hz",
          "be in [0, sample_rate/2)", a.highpass_hz);
  c.in_range("audio.peak_normalize", a.peak_normalize, 0.0, 1.0, true);
  c.finite("audio.gain_db", a.gain_db);
  c.in_range("audio.preemphasis", a.preemphasis, 0.0, 1.0, false);
}

void check_wavenet(const ModelConfig& m, const AudioConfig& a, Checker& c) {
  c.positive("model.layers", m.layers);
  c.positive("model.stacks", m.stacks);
  if (m.layers > 0 && m.stacks > 0) {
    // Not necessarily a multiple: dilation cycles every layers/stacks (integer division) layers,
    // so 30 layers in 4 stacks are four cycles of 7 and a partial one.
    c.check(m.layers >= m.stacks, "model.layers",
            "be at least model.stacks=" + std::to_string(m.stacks), m.layers);
  }
  c.positive("model.residual_channels", m.residual_channels);
  c.check(m.gate_channels > 0 && m.gate_channels % 2 == 0, "model.gate_channels",
          "be positive and even (it splits into tanh and sigmoid halves)", m.gate_channels);
  c.positive("model.skip_channels", m.skip_channels);
  c.check(m.kernel_size == 2 || m.kernel_size == 3, "model.kernel_size", "be 2 or 3",
          m.kernel_size);
  c.one_of("model.input", m.input, {"mulaw", "raw"});
  c.one_of("model.output", m.output, {"softmax", "mol", "gaussian"});
  c.positive("model.mixture_components", m.mixture_components);
  c.check(m.log_scale_min < 0 && std::isfinite(m.log_scale_min), "model.log_scale_min",
          "be negative", m.log_scale_min);
  if (m.local_conditioning) {
    c.check(!m.upsample_scales.empty(), "model.upsample_scales", "not be empty",
            std::string("[]"));
    bool scales_positive = true;
    for (int s : m.upsample_scales) scales_positive = scales_positive && s >= 1;
    c.require(scales_positive, "model.upsample_scales must all be at least 1");
    if (scales_positive && !m.upsample_scales.empty()) {
      const long product = std::accumulate(m.upsample_scales.begin(), m.upsample_scales.end(), 1L,
                                           std::multiplies<long>());
      c.check(product == a.hop_length, "model.upsample_scales",
              "multiply to audio.hop_length=" + std::to_string(a.hop_length), product);
    }
  }
  c.one_of("model.upsample_mode", m.upsample_mode, {"nearest", "transposed"});
  c.in_range("model.dropout", m.dropout, 0.0, 1.0, false);
  c.check(m.linear_prediction >= 0 && m.linear_prediction <= 64, "model.linear_prediction", "be in [0, 64]",
          m.linear_prediction);
  if (m.linear_prediction > 0) {
    c.require(m.local_conditioning, "model.linear_prediction needs model.local_conditioning: the predictors come from the mel");
  }
  c.check(m.pitch_harmonics >= 0 && m.pitch_harmonics <= 16, "model.pitch_harmonics", "be in [0, 16]", m.pitch_harmonics);
  if (m.pitch_harmonics > 0) {
    c.require(m.local_conditioning, "model.pitch_harmonics needs model.local_conditioning: the pitch is read from the mel");
  }
  c.in_range("model.long_term_prediction", m.long_term_prediction, 0.0, 1.0, false);
  if (m.long_term_prediction > 0) {
    c.require(m.linear_prediction > 0 && m.pitch_harmonics > 0,
              "model.long_term_prediction needs model.linear_prediction and model.pitch_harmonics: it extends the "
              "linear predictor with a lag from the pitch head's F0");
  }
}

void check_samplernn(const ModelConfig& m, const AudioConfig& a, const TrainConfig& t, Checker& c) {
  const auto& sizes = m.frame_sizes;
  bool sizes_ok = !sizes.empty() && sizes.back() >= 2;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    sizes_ok = sizes_ok && sizes[i] >= 1 && (i + 1 == sizes.size() || sizes[i] % sizes[i + 1] == 0);
  }
  c.require(sizes_ok, "model.frame_sizes must be one or more tier sizes, top tier first, each a multiple of the next "
                      "and the last at least 2, got [" + join_ints(sizes) + "]");
  if (sizes_ok) {
    const int top = sizes.front();
    if (m.local_conditioning) {
      c.check(a.hop_length % top == 0, "model.frame_sizes",
              "start with a top frame size that divides audio.hop_length=" + std::to_string(a.hop_length),
              "[" + join_ints(sizes) + "]");
    }
    c.check(t.max_time_steps % top == 0, "train.max_time_steps",
            "be a multiple of the top frame size " + std::to_string(top), t.max_time_steps);
  }
  c.one_of("model.rnn_type", m.rnn_type, {"gru", "lstm"});
  c.positive("model.rnn_layers", m.rnn_layers);
  c.positive("model.rnn_dim", m.rnn_dim);
  c.positive("model.mlp_dim", m.mlp_dim);
  c.positive("model.embedding_dim", m.embedding_dim);
}

void check_rating(const ModelConfig& m, Checker& c) {
  c.one_of("model.objective", m.objective, {"regression", "classes"});
  c.check(m.conv_width >= 1 && m.conv_width % 2 == 1, "model.conv_width", "be a positive odd number", m.conv_width);
  c.positive("model.conv_channels", m.conv_channels);
  bool sizes_ok = true;
  for (const int size : m.dense_channels) sizes_ok = sizes_ok && size > 0;
  c.require(sizes_ok, "model.dense_channels must be positive sizes, got [" + join_ints(m.dense_channels) + "]");
}

void check_model(const Config& config, Checker& c) {
  const ModelConfig& m = config.model;
  std::vector<std::string> families;
  ModelConfig copy = m;  // families() hands out mutable references; nothing is changed
  copy.families([&](const char* name, auto&) { families.emplace_back(name); });
  c.one_of("model.type", m.type, families);
  if (m.type == "wavenet") check_wavenet(m, config.audio, c);
  if (m.type == "wavenet" && m.linear_prediction > 0) {
    c.require(!config.data.normalize_mel,
              "model.linear_prediction reads the mel as the recipe made it: set data.normalize_mel=false");
  }
  if (m.type == "samplernn") check_samplernn(m, config.audio, config.train, c);
  if (m.type == "rating") check_rating(m, c);
  c.one_of("model.quantization", m.quantization, {"mulaw", "mulaw_floor", "linear"});
  c.check(m.quantize_channels >= 2 && m.quantize_channels <= 65536, "model.quantize_channels",
          "be in [2, 65536]", m.quantize_channels);
  c.check(m.cond_kernel_size >= 1 && m.cond_kernel_size % 2 == 1, "model.cond_kernel_size",
          "be a positive odd number", m.cond_kernel_size);
  c.non_negative("model.n_labels", m.n_labels);
  c.positive("model.label_embedding", m.label_embedding);
}

void check_train(const TrainConfig& t, const AudioConfig& a, Checker& c) {
  static const std::regex device_pattern("auto|cpu|cuda(:[0-9]+)?");
  c.check(std::regex_match(t.device, device_pattern), "train.device",
          "be auto, cpu, cuda or cuda:N", t.device);
  c.positive("train.batch_size", t.batch_size);
  const bool aligned = a.hop_length > 0 && t.max_time_steps % a.hop_length == 0;
  c.check(t.max_time_steps > 0 && aligned, "train.max_time_steps",
          "be a positive multiple of audio.hop_length=" + std::to_string(a.hop_length),
          t.max_time_steps);
  c.positive("train.max_steps", t.max_steps);
  c.check(t.lr > 0 && std::isfinite(t.lr), "train.lr", "be positive", t.lr);
  c.one_of("train.lr_schedule", t.lr_schedule, {"constant", "step", "noam", "cosine"});
  c.non_negative("train.warmup_steps", t.warmup_steps);
  c.positive("train.lr_decay_steps", t.lr_decay_steps);
  c.check(t.lr_decay_rate > 0 && t.lr_decay_rate <= 1, "train.lr_decay_rate", "be in (0, 1]",
          t.lr_decay_rate);
  c.in_range("train.adam_beta1", t.adam_beta1, 0.0, 1.0, false);
  c.in_range("train.adam_beta2", t.adam_beta2, 0.0, 1.0, false);
  c.check(t.adam_eps > 0, "train.adam_eps", "be positive", t.adam_eps);
  c.non_negative("train.weight_decay", t.weight_decay);
  c.non_negative("train.grad_clip", t.grad_clip);
  c.in_range("train.ema_decay", t.ema_decay, 0.0, 1.0, false);
  c.positive("train.log_every", t.log_every);
  c.non_negative("train.eval_every", t.eval_every);
  c.positive("train.checkpoint_every", t.checkpoint_every);
  c.positive("train.keep_last", t.keep_last);
  c.positive("train.max_bad_steps", t.max_bad_steps);
  c.check(t.bucket_mb > 0, "train.bucket_mb", "be positive", t.bucket_mb);
  c.check(t.dist_timeout_s > 0, "train.dist_timeout_s", "be positive", t.dist_timeout_s);
  c.non_negative("train.eval_audio_seconds", t.eval_audio_seconds);
  c.positive("train.eval_utterances", t.eval_utterances);
}

void check_data(const DataConfig& d, Checker& c) {
  c.check(d.shard_size_mb > 0, "data.shard_size_mb", "be positive", d.shard_size_mb);
  c.in_range("data.valid_fraction", d.valid_fraction, 0.0, 1.0, false);
  c.one_of("data.label_source", d.label_source, {"none", "folder", "column"});
  c.non_negative("data.label_column", d.label_column);
  c.one_of("data.target", d.target, {"none", "column", "popularity"});
  // Column 0 is the audio path or utterance id.
  if (d.target == "column") c.positive("data.target_column", d.target_column);
  if (d.target == "popularity") {
    c.positive("data.played_column", d.played_column);
    c.positive("data.liked_column", d.liked_column);
    c.check(d.played_column != d.liked_column, "data.liked_column", "differ from data.played_column", d.liked_column);
  }
  c.non_negative("data.threads", d.threads);
}

void check_engine(const EngineConfig& e, Checker& c) {
  c.non_negative("engine.threads", e.threads);
  c.positive("engine.batch", e.batch);
  c.one_of("engine.precision", e.precision, {"fp32", "bf16"});
  c.check(e.temperature > 0 && std::isfinite(e.temperature), "engine.temperature", "be positive",
          e.temperature);
  c.check(e.fold >= 0 && e.fold <= 256, "engine.fold", "be 0 (auto), 1 (off) or a number of pieces up to 256", e.fold);
  c.non_negative("engine.fold_overlap_frames", e.fold_overlap_frames);
}

void check_dream(const DreamConfig& d, Checker& c) {
  c.positive("dream.steps", d.steps);
  c.check(d.lr > 0 && std::isfinite(d.lr), "dream.lr", "be positive", d.lr);
  c.non_negative("dream.init_noise", d.init_noise);
  c.check(d.amplitude_bound > 0 && d.amplitude_bound <= 1, "dream.amplitude_bound", "be in (0, 1]", d.amplitude_bound);
  c.non_negative("dream.max_shift_frames", d.max_shift_frames);
  c.non_negative("dream.range_weight", d.range_weight);
  c.non_negative("dream.range_std", d.range_std);
  c.non_negative("dream.out_of_band_weight", d.out_of_band_weight);
  c.non_negative("dream.tv_weight", d.tv_weight);
  c.non_negative("dream.realness_weight", d.realness_weight);
  c.check(d.discriminator.empty() || !d.discriminator_label.empty(), "dream.discriminator_label",
          "name the discriminator's label for corpus audio", d.discriminator_label);
}

}  // namespace

std::vector<std::string> config_problems(const Config& config) {
  std::vector<std::string> problems;
  Checker checker(problems);
  check_audio(config.audio, checker);
  check_model(config, checker);
  check_train(config.train, config.audio, checker);
  check_data(config.data, checker);
  check_engine(config.engine, checker);
  check_dream(config.dream, checker);
  return problems;
}

void validate_config(const Config& config) {
  const auto problems = config_problems(config);
  if (!problems.empty()) throw ConfigError(join(problems, "; "));
}

}  // namespace wn
