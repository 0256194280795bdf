#include "nets/interop/r9y9_hparams.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "core/config/validate.h"
#include "core/errors.h"

namespace wn {
namespace {

class HparamsReader {
 public:
  HparamsReader(YAML::Node root, std::string origin) : root_(std::move(root)), origin_(std::move(origin)) {}

  // Reads `key` into `value` when present and not null; the default stays otherwise.
  template <class T>
  void read(const std::string& key, T& value, const YAML::Node& node) const {
    const YAML::Node v = node[key];
    if (!v || v.IsNull()) return;
    try {
      value = v.as<T>();
    } catch (const YAML::Exception&) {
      throw UserError(origin_ + ": '" + key + "' has a value of the wrong type");
    }
  }
  template <class T>
  void read(const std::string& key, T& value) const {
    read(key, value, root_);
  }
  bool has(const std::string& key) const { return root_[key] && !root_[key].IsNull(); }
  const YAML::Node& root() const { return root_; }
  [[noreturn]] void refuse(const std::string& key, const std::string& why) const {
    throw UserError(origin_ + ": " + key + ": " + why);
  }

 private:
  YAML::Node root_;
  std::string origin_;
};

// Every key r9y9's build_model and recipe read, over hparams.py's defaults.
void read_fields(const HparamsReader& r, const YAML::Node& root, R9y9Hparams& h) {
  r.read("input_type", h.input_type);
  r.read("quantize_channels", h.quantize_channels);
  r.read("preprocess", h.preprocess);
  r.read("postprocess", h.postprocess);
  r.read("global_gain_scale", h.global_gain_scale);
  r.read("sample_rate", h.sample_rate);
  r.read("num_mels", h.num_mels);
  r.read("fmin", h.fmin);
  r.read("fmax", h.fmax);
  r.read("fft_size", h.fft_size);
  r.read("hop_size", h.hop_size);
  r.read("win_length", h.win_length);
  r.read("window", h.window);
  r.read("highpass_cutoff", h.highpass_cutoff);
  r.read("output_distribution", h.output_distribution);
  r.read("log_scale_min", h.log_scale_min);
  r.read("out_channels", h.out_channels);
  r.read("layers", h.layers);
  r.read("stacks", h.stacks);
  r.read("residual_channels", h.residual_channels);
  r.read("gate_channels", h.gate_channels);
  r.read("skip_out_channels", h.skip_out_channels);
  r.read("dropout", h.dropout);
  r.read("kernel_size", h.kernel_size);
  r.read("cin_channels", h.cin_channels);
  r.read("cin_pad", h.cin_pad);
  r.read("upsample_conditional_features", h.upsample_conditional_features);
  r.read("upsample_net", h.upsample_net);
  r.read("gin_channels", h.gin_channels);
  r.read("n_speakers", h.n_speakers);
  r.read("max_time_steps", h.max_time_steps);

  // Frame sizes given in milliseconds, as the older presets do.
  double frame_shift_ms = 0.0, win_length_ms = -1.0;
  r.read("frame_shift_ms", frame_shift_ms);
  r.read("win_length_ms", win_length_ms);
  // Whole samples at the sample rate; a length no frame size could be (or no int hold) is refused.
  auto samples_of = [&](const char* key, double ms) {
    const double samples = ms / 1000.0 * h.sample_rate;
    if (!(std::fabs(samples) < 1e9)) r.refuse(key, "is " + std::to_string(ms) + " ms, too long for a frame");
    return static_cast<int>(samples);
  };
  if (root["hop_size"] && root["hop_size"].IsNull()) {
    if (frame_shift_ms <= 0) r.refuse("hop_size", "null without frame_shift_ms");
    h.hop_size = samples_of("frame_shift_ms", frame_shift_ms);
  }
  if (h.win_length < 0) {
    if (win_length_ms <= 0) r.refuse("win_length", "negative without win_length_ms");
    h.win_length = samples_of("win_length_ms", win_length_ms);
  }

  if (r.has("upsample_params")) {
    const YAML::Node params = root["upsample_params"];
    if (!params.IsMap()) r.refuse("upsample_params", "not an object");
    r.read("upsample_scales", h.upsample_scales, params);
    r.read("upsample_activation", h.upsample_activation, params);
    r.read("mode", h.upsample_mode, params);
    r.read("freq_axis_kernel_size", h.freq_axis_kernel_size, params);
    for (const auto& entry : params) {
      const std::string key = entry.first.as<std::string>();
      if (key != "upsample_scales" && key != "upsample_activation" && key != "upsample_activation_params" && key != "mode" &&
          key != "freq_axis_kernel_size" && key != "cin_pad" && key != "cin_channels") {
        r.refuse("upsample_params." + key, "not a parameter of r9y9's upsampling networks");
      }
    }
  } else if (r.has("upsample_scales")) {
    // The older schema (upsample_scales at the top, transposed-convolution upsampling).
    r.refuse("upsample_scales", "an older r9y9 hparams schema (upsampling by transposed convolutions) is not supported; "
                                "the current one has upsample_params");
  }
}

// What our WaveNet cannot compute exactly: refused by key rather than approximated.
void refuse_what_we_cannot_compute(const HparamsReader& r, const R9y9Hparams& h) {
  if (h.input_type == "mulaw") r.refuse("input_type", "'mulaw' (companded scalar input) is not supported; raw and mulaw-quantize are");
  if (h.input_type != "raw" && h.input_type != "mulaw-quantize") r.refuse("input_type", "unknown value '" + h.input_type + "'");
  if (h.window != "hann") r.refuse("window", "only hann is supported, got '" + h.window + "'");
  if (h.preprocess != "" && h.preprocess != "none" && h.preprocess != "preemphasis") {
    r.refuse("preprocess", "unknown time-domain step '" + h.preprocess + "'");
  }
  if (h.output_distribution != "Logistic" && h.output_distribution != "Normal") {
    r.refuse("output_distribution", "unknown value '" + h.output_distribution + "'");
  }
  if (h.input_type == "mulaw-quantize" && h.out_channels != h.quantize_channels) {
    r.refuse("out_channels", "must equal quantize_channels for mulaw-quantize (as r9y9's build_model requires)");
  }
  if (h.input_type == "raw" && h.output_distribution == "Logistic" && (h.out_channels < 3 || h.out_channels % 3 != 0)) {
    r.refuse("out_channels", "a mixture of logistics needs 3 channels per component, got " + std::to_string(h.out_channels));
  }
  if (h.input_type == "raw" && h.output_distribution == "Normal" && h.out_channels != 2) {
    r.refuse("out_channels", "mixtures of Gaussians (out_channels " + std::to_string(h.out_channels) +
                                 ") are not supported; a single Gaussian has 2");
  }
  if (h.cin_channels > 0) {
    if (!h.upsample_conditional_features) {
      r.refuse("upsample_conditional_features", "false (features already at the sample rate) is not supported");
    }
    if (h.upsample_net != "ConvInUpsampleNetwork" && h.upsample_net != "UpsampleNetwork") {
      r.refuse("upsample_net", "unknown network '" + h.upsample_net + "'");
    }
    if (h.upsample_net == "UpsampleNetwork" && h.cin_pad > 0) {
      r.refuse("cin_pad", "UpsampleNetwork with cin_pad > 0 crops its output; only ConvInUpsampleNetwork is supported with cin_pad");
    }
    if (h.upsample_activation != "none") r.refuse("upsample_params.upsample_activation", "only 'none' is supported");
    if (h.upsample_mode != "nearest") r.refuse("upsample_params.mode", "only 'nearest' is supported");
    if (h.freq_axis_kernel_size != 1) r.refuse("upsample_params.freq_axis_kernel_size", "only 1 is supported");
    if (h.cin_channels != h.num_mels) r.refuse("cin_channels", "must equal num_mels (the mel is the only local condition)");
  }
}

R9y9Hparams parse_hparams(const std::filesystem::path& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    throw UserError(path.string() + ": cannot read the hparams file");
  } catch (const YAML::Exception& e) {
    throw UserError(path.string() + ": not a JSON hparams file (" + e.msg + ")");
  }
  if (!root.IsMap()) throw UserError(path.string() + ": not a JSON object of hparams");
  const HparamsReader r(root, path.string());
  R9y9Hparams h;
  read_fields(r, root, h);
  refuse_what_we_cannot_compute(r, h);
  return h;
}

}  // namespace

R9y9Hparams read_r9y9_hparams(const std::filesystem::path& path) {
  try {
    return parse_hparams(path);
  } catch (const YAML::Exception& e) {  // a structure the reader did not expect (e.g. a key that is a list)
    throw UserError(path.string() + ": not hparams as r9y9 writes them (" + e.msg + ")");
  }
}

Config config_for_r9y9(const R9y9Hparams& h, bool normalized_mels) {
  Config c;
  AudioConfig& a = c.audio;
  a.sample_rate = h.sample_rate;
  a.n_fft = h.fft_size;
  a.win_length = h.win_length;
  a.hop_length = h.hop_size;
  a.n_mels = h.num_mels;
  a.fmin = h.fmin;
  a.fmax = h.fmax;
  a.power = 1;
  a.compression = "log10";
  a.log_floor = kR9y9MelFloor;
  a.trim_top_db = 60.0;
  a.highpass_hz = h.highpass_cutoff;  // r9y9's is a 255-tap FIR; ours a zero-phase Butterworth
  a.peak_normalize = 0.0;
  a.gain_db = h.global_gain_scale > 0 ? 20.0 * std::log10(h.global_gain_scale) : 0.0;
  a.preemphasis = h.preprocess == "preemphasis" ? kR9y9Preemphasis : 0.0;
  a.mel_before_emphasis = true;

  ModelConfig& m = c.model;
  m.type = "wavenet";
  m.layers = h.layers;
  m.stacks = h.stacks;
  m.residual_channels = h.residual_channels;
  m.gate_channels = h.gate_channels;
  m.skip_channels = h.skip_out_channels;
  m.kernel_size = h.kernel_size;
  m.dropout = h.dropout;
  m.weight_norm = true;
  m.log_scale_min = h.log_scale_min;
  m.quantize_channels = h.quantize_channels;
  if (h.input_type == "mulaw-quantize") {
    m.input = "mulaw";
    m.output = "softmax";
    m.quantization = "mulaw_floor";
  } else {
    m.input = "raw";
    m.output = h.output_distribution == "Logistic" ? "mol" : "gaussian";
    m.mixture_components = h.output_distribution == "Logistic" ? h.out_channels / 3 : m.mixture_components;
  }
  m.local_conditioning = h.cin_channels > 0;
  m.upsample_scales = h.upsample_scales;
  m.upsample_mode = "nearest";
  m.cond_kernel_size = 2 * h.cin_pad + 1;
  m.global_conditioning = h.gin_channels > 0;
  m.n_labels = h.gin_channels > 0 ? h.n_speakers : 0;
  if (h.gin_channels > 0) m.label_embedding = h.gin_channels;

  // Fine-tuning crops as r9y9 trained, in whole hops.
  if (h.hop_size > 0) c.train.max_time_steps = std::max(1, h.max_time_steps / h.hop_size) * h.hop_size;
  c.data.normalize_mel = normalized_mels;
  validate_config(c);
  return c;
}

}  // namespace wn
