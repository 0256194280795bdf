#pragma once
// The typed configuration of every job. Each section lists its fields once, in `fields()`, and
// that single list drives YAML parsing, unknown-key detection, dumping and the docs of `config keys`.
// Defaults are the Tacotron 2 / r9y9 recipe (22.05 kHz, 80 mels, hop 256); presets in configs/.

#include <cstdint>
#include <string>
#include <vector>

namespace wn {

struct AudioConfig {
  int sample_rate = 22050;
  int n_fft = 1024;
  int win_length = 1024;
  int hop_length = 256;
  int n_mels = 80;
  double fmin = 125.0;
  double fmax = 7600.0;
  int power = 1;
  std::string compression = "log10";
  double log_floor = 1e-5;
  double trim_top_db = 60.0;
  double highpass_hz = 0.0;
  double peak_normalize = 0.0;
  double gain_db = 0.0;
  double preemphasis = 0.0;
  bool mel_before_emphasis = false;

  template <class Visitor>
  void fields(Visitor&& v) {
    v("sample_rate", sample_rate, "samples per second after resampling");
    v("n_fft", n_fft, "FFT size of the STFT");
    v("win_length", win_length, "periodic Hann window length (<= n_fft)");
    v("hop_length", hop_length, "samples between mel frames");
    v("n_mels", n_mels, "mel bands");
    v("fmin", fmin, "lowest mel filter edge, Hz");
    v("fmax", fmax, "highest mel filter edge, Hz (<= sample_rate/2)");
    v("power", power, "1 = magnitude, 2 = power spectrogram");
    v("compression", compression, "log10 | ln | db: how mel magnitudes are compressed");
    v("log_floor", log_floor, "magnitudes are clamped to at least this before the log");
    v("trim_top_db", trim_top_db, "trim leading/trailing audio quieter than peak minus this (0 = off)");
    v("highpass_hz", highpass_hz, "high-pass cutoff before features (0 = off)");
    v("peak_normalize", peak_normalize, "scale each utterance to this peak (0 = off)");
    v("gain_db", gain_db, "gain applied after normalisation");
    v("preemphasis", preemphasis, "pre-emphasis coefficient (0 = off); synth undoes it");
    v("mel_before_emphasis", mel_before_emphasis,
      "make the mel before gain_db and preemphasis (r9y9's order: the mel is of the plain audio, and synth divides the gain out)");
  }
};

// Keys of the `wavenet` family (model.type: wavenet).
struct WaveNetKeys {
  int layers = 24;
  int stacks = 4;
  int residual_channels = 128;
  int gate_channels = 256;
  int skip_channels = 128;
  int kernel_size = 3;
  std::string input = "raw";
  std::string output = "mol";
  int mixture_components = 10;
  double log_scale_min = -7.0;
  std::string upsample_mode = "nearest";
  bool weight_norm = true;
  double dropout = 0.0;
  int linear_prediction = 0;
  int pitch_harmonics = 0;
  double long_term_prediction = 0.0;

  template <class Visitor>
  void fields(Visitor&& v) {
    v("layers", layers, "residual blocks in total");
    v("stacks", stacks, "dilation cycles; dilation of layer l is 2^(l mod (layers/stacks))");
    v("residual_channels", residual_channels, "channels of the residual stream");
    v("gate_channels", gate_channels, "channels of the dilated conv output (split into tanh/sigmoid halves)");
    v("skip_channels", skip_channels, "channels of the skip connections");
    v("kernel_size", kernel_size, "dilated conv kernel size: 2 or 3");
    v("input", input, "mulaw (one-hot of quantize_channels) | raw (scalar sample)");
    v("output", output, "softmax (quantized classes) | mol (mixture of logistics) | gaussian");
    v("mixture_components", mixture_components, "logistic components for output=mol");
    v("log_scale_min", log_scale_min, "lower clamp of log scales for mol and gaussian");
    v("upsample_mode", upsample_mode, "nearest (stretch + smoothing conv) | transposed");
    v("weight_norm", weight_norm, "weight normalisation on convolutions");
    v("dropout", dropout, "dropout before each dilated conv");
    v("linear_prediction", linear_prediction,
      "order of a linear predictor from each mel frame; the network models what it leaves (LPCNet). 0 = off");
    v("pitch_harmonics", pitch_harmonics,
      "harmonics of a sine source at the F0 a pitch head reads from the mel, given to every layer with the mel. 0 = off");
    v("long_term_prediction", long_term_prediction,
      "gain of a pitch predictor (the sample one F0 period back) added to the linear predictor; needs both. 0 = off");
  }
};

// Keys of the `samplernn` family (model.type: samplernn): Mehri et al. 2017.
struct SampleRnnKeys {
  std::vector<int> frame_sizes = {16, 4};
  std::string rnn_type = "gru";
  int rnn_layers = 1;
  int rnn_dim = 1024;
  int mlp_dim = 1024;
  int embedding_dim = 256;
  bool learn_h0 = true;

  template <class Visitor>
  void fields(Visitor&& v) {
    v("frame_sizes", frame_sizes, "samples per frame of each frame-level tier, top tier first; each a multiple of the next");
    v("rnn_type", rnn_type, "gru | lstm: the frame-level tiers' recurrent cell");
    v("rnn_layers", rnn_layers, "recurrent layers per frame-level tier");
    v("rnn_dim", rnn_dim, "hidden size of the frame-level tiers");
    v("mlp_dim", mlp_dim, "hidden size of the sample-level MLP");
    v("embedding_dim", embedding_dim, "embedding size of a quantized sample in the sample-level MLP");
    v("learn_h0", learn_h0, "learn the tiers' initial hidden states (else zeros)");
  }
};

// Keys of the `rating` family (model.type: rating): a critic that scores a clip's log-mel.
struct RatingKeys {
  std::string objective = "regression";
  int conv_width = 5;
  int conv_channels = 128;
  std::vector<int> dense_channels = {64};

  template <class Visitor>
  void fields(Visitor&& v) {
    v("objective", objective, "regression (mean squared error against the standardised data.target) | classes (cross-entropy over the corpus labels)");
    v("conv_width", conv_width, "frames of the convolution over time (odd)");
    v("conv_channels", conv_channels, "channels of the convolution over time");
    v("dense_channels", dense_channels, "sizes of the per-frame dense layers after it, each followed by a ReLU");
  }
};

// The `model` section: `type` names the family, then the keys every family shares, then the
// selected family's own keys. A key of a family that is not selected is an error, and only the
// selected family's keys are written out. Adding a family: its keys struct here, one line in
// families(), and its entry in nets/model_registry.cpp.
struct ModelConfig : WaveNetKeys, SampleRnnKeys, RatingKeys {
  std::string type = "wavenet";
  std::string quantization = "mulaw";
  int quantize_channels = 256;
  bool local_conditioning = true;
  std::vector<int> upsample_scales = {4, 4, 4, 4};
  int cond_kernel_size = 5;
  bool global_conditioning = false;
  int n_labels = 0;
  int label_embedding = 16;

  template <class Visitor>
  void shared_fields(Visitor&& v) {
    v("quantization", quantization, "mulaw | mulaw_floor (r9y9's rounding down) | linear: how samples map to quantize_channels classes (softmax outputs and inputs)");
    v("quantize_channels", quantize_channels, "quantization classes (mu + 1 for mu-law)");
    v("local_conditioning", local_conditioning, "condition on mel frames (false = unconditional)");
    v("upsample_scales", upsample_scales, "wavenet's conditioning upsampler scales; product must equal audio.hop_length");
    v("cond_kernel_size", cond_kernel_size, "kernel of the first conv over mel frames (odd)");
    v("global_conditioning", global_conditioning, "condition on the utterance label (speaker, instrument)");
    v("n_labels", n_labels, "number of labels for global conditioning (0 = take from the data)");
    v("label_embedding", label_embedding, "size of the label embedding");
  }

  // Every family's keys, by family name.
  template <class Visitor>
  void families(Visitor&& v) {
    v("wavenet", static_cast<WaveNetKeys&>(*this));
    v("samplernn", static_cast<SampleRnnKeys&>(*this));
    v("rating", static_cast<RatingKeys&>(*this));
  }

  // `type` first, so a reader knows the family before it reads that family's keys.
  template <class Visitor>
  void fields(Visitor&& v) {
    v("type", type, "model family: wavenet | samplernn | rating");
    shared_fields(v);
    families([&](const char* name, auto& keys) {
      if (type == name) keys.fields(v);
    });
  }
};

struct TrainConfig {
  std::string device = "auto";
  int64_t seed = 1234;
  int batch_size = 2;
  int max_time_steps = 8192;
  int64_t max_steps = 100000;
  double lr = 1e-3;
  std::string lr_schedule = "noam";
  int64_t warmup_steps = 4000;
  int64_t lr_decay_steps = 100000;
  double lr_decay_rate = 0.5;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_eps = 1e-8;
  double weight_decay = 0.0;
  double grad_clip = 1.0;
  double ema_decay = 0.9999;
  bool amp = false;
  int64_t log_every = 50;
  int64_t eval_every = 5000;
  int64_t checkpoint_every = 5000;
  int keep_last = 5;
  int max_bad_steps = 10;
  double bucket_mb = 25.0;
  double dist_timeout_s = 120.0;
  double eval_audio_seconds = 0.5;
  bool eval_metrics = true;
  int eval_utterances = 8;

  template <class Visitor>
  void fields(Visitor&& v) {
    v("device", device, "auto | cpu | cuda | cuda:N");
    v("seed", seed, "seed of model init, data order and sampling");
    v("batch_size", batch_size, "crops per step on each process");
    v("max_time_steps", max_time_steps, "samples per crop (multiple of audio.hop_length)");
    v("max_steps", max_steps, "optimizer steps to train for");
    v("lr", lr, "peak learning rate");
    v("lr_schedule", lr_schedule, "constant | step | noam | cosine");
    v("warmup_steps", warmup_steps, "linear warm-up steps (noam, cosine)");
    v("lr_decay_steps", lr_decay_steps, "steps between decays (step) or to the end (cosine)");
    v("lr_decay_rate", lr_decay_rate, "factor applied every lr_decay_steps (step)");
    v("adam_beta1", adam_beta1, "Adam beta1");
    v("adam_beta2", adam_beta2, "Adam beta2");
    v("adam_eps", adam_eps, "Adam epsilon");
    v("weight_decay", weight_decay, "L2 weight decay");
    v("grad_clip", grad_clip, "clip the global gradient norm to this (0 = off)");
    v("ema_decay", ema_decay, "decay of the weight moving average used for synthesis (0 = off)");
    v("amp", amp, "mixed precision (autocast) on CUDA");
    v("log_every", log_every, "steps between console/TensorBoard logs");
    v("eval_every", eval_every, "steps between validation + audio sample (0 = off)");
    v("checkpoint_every", checkpoint_every, "steps between checkpoints");
    v("keep_last", keep_last, "checkpoints kept on disk");
    v("max_bad_steps", max_bad_steps, "consecutive non-finite steps before training stops");
    v("bucket_mb", bucket_mb, "gradient all-reduce bucket size, MB");
    v("dist_timeout_s", dist_timeout_s, "seconds before a silent peer is an error");
    v("eval_audio_seconds", eval_audio_seconds, "length of the audio sample generated at each eval (0 = none)");
    v("eval_metrics", eval_metrics, "copy-synthesis metrics of that sample against its reference (MCD, LSD, F0, ...)");
    v("eval_utterances", eval_utterances, "validation crops used for the validation loss");
  }
};

struct DataConfig {
  double shard_size_mb = 256.0;
  double valid_fraction = 0.02;
  std::string valid_list = "";
  std::string label_source = "none";
  int label_column = 0;
  std::string target = "none";
  int target_column = 1;
  int played_column = 1;
  int liked_column = 2;
  int threads = 0;
  bool normalize_mel = false;

  template <class Visitor>
  void fields(Visitor&& v) {
    v("shard_size_mb", shard_size_mb, "target size of one HDF5 shard, MB");
    v("valid_fraction", valid_fraction, "share of utterances held out for validation");
    v("valid_list", valid_list, "file listing utterance ids for validation (overrides valid_fraction)");
    v("label_source", label_source, "none | folder (parent folder name) | column (metadata column)");
    v("label_column", label_column, "metadata.csv column (0-based) holding the label, for label_source=column");
    v("target", target, "none | column (a number in target_column) | popularity (liked / played * ln(liked)): a scalar per utterance");
    v("target_column", target_column, "metadata column (0-based; 0 is the path or id) of the target, for target=column");
    v("played_column", played_column, "metadata column of the play count, for target=popularity");
    v("liked_column", liked_column, "metadata column of the like count, for target=popularity");
    v("threads", threads, "worker threads (0 = one per core)");
    v("normalize_mel", normalize_mel, "standardise mels with the training-split statistics");
  }
};

// Synthesis settings (`synth`, and the demo's): `key=value` arguments apply over a
// checkpoint's stored values, and synth's flags override both.
struct EngineConfig {
  int threads = 0;
  int batch = 16;
  std::string precision = "fp32";
  double temperature = 1.0;
  int64_t seed = 1234;
  bool use_ema = true;
  int fold = 1;
  int fold_overlap_frames = 0;

  template <class Visitor>
  void fields(Visitor&& v) {
    v("threads", threads, "threads of the cached engine (0 = one per core)");
    v("batch", batch, "clips generated together in lockstep, grouped by length");
    v("precision", precision, "fp32 | bf16 weight storage");
    v("temperature", temperature, "sampling temperature (> 0)");
    v("seed", seed, "sampling seed");
    v("use_ema", use_ema, "use the EMA weights of a checkpoint");
    v("fold", fold, "pieces one clip is cut into and generated as a batch (1 = off, 0 = auto)");
    v("fold_overlap_frames", fold_overlap_frames, "frames a folded piece starts early to warm up and cross-fade (0 = from the receptive field)");
  }
};

// Dreaming (`wavenet dream`): gradient ascent on a waveform to raise a critic's score, with the
// regularisers that keep the result sound rather than adversarial noise. Read from the
// checkpoint's config, under --config files and key=value arguments.
struct DreamConfig {
  int steps = 300;
  double lr = 0.003;
  int64_t seed = 1234;
  double init_noise = 0.01;
  double amplitude_bound = 0.9;
  double max_shift_frames = 2.0;
  double range_weight = 1.0;
  double range_std = 2.0;
  double out_of_band_weight = 10.0;
  double tv_weight = 0.05;
  std::string label;
  std::string discriminator;
  std::string discriminator_label = "real";
  double realness_weight = 1.0;

  template <class Visitor>
  void fields(Visitor&& v) {
    v("steps", steps, "Adam steps on the waveform (--steps overrides)");
    v("lr", lr, "Adam learning rate, on the waveform before its tanh amplitude bound");
    v("seed", seed, "seed of the noise start and the random shifts");
    v("init_noise", init_noise, "standard deviation of the white-noise start (--init noise)");
    v("amplitude_bound", amplitude_bound, "|sample| stays below this: the waveform is bound * tanh(parameter)");
    v("max_shift_frames", max_shift_frames, "each step scores the audio shifted by a random time of up to this many hops (0 = off)");
    v("range_weight", range_weight, "penalty on mel bands louder than the corpus's mean + range_std std");
    v("range_std", range_std, "how many corpus standard deviations above its mean a band may reach unpenalised");
    v("out_of_band_weight", out_of_band_weight, "penalty on the fraction of power outside [audio.fmin, audio.fmax], which the mel cannot see");
    v("tv_weight", tv_weight, "penalty on the spectrogram's total variation over time and frequency");
    v("label", label, "classifier critics: the label whose probability is raised");
    v("discriminator", discriminator, "optional: checkpoint of a classes critic that tells corpus audio from dreams");
    v("discriminator_label", discriminator_label, "the discriminator's label for corpus audio");
    v("realness_weight", realness_weight, "weight of the discriminator's log-probability of that label");
  }
};

struct Config {
  AudioConfig audio;
  ModelConfig model;
  TrainConfig train;
  DataConfig data;
  EngineConfig engine;
  DreamConfig dream;

  template <class Visitor>
  void sections(Visitor&& v) {
    v("audio", audio);
    v("model", model);
    v("train", train);
    v("data", data);
    v("engine", engine);
    v("dream", dream);
  }
};

}  // namespace wn
