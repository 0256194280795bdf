// Every validation rule: one bad value each, and the message must name key, rule and value.

#include "core/config/validate.h"

#include <gtest/gtest.h>

#include "core/config/config_io.h"
#include "core/errors.h"

namespace wn {
namespace {

struct RuleCase {
  std::vector<std::string> overrides;
  std::string expected;  // must appear in the error message
};

std::ostream& operator<<(std::ostream& out, const RuleCase& c) {
  for (const auto& o : c.overrides) out << o << ' ';
  return out;
}

class ValidationRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ValidationRule, RejectsWithClearMessage) {
  const RuleCase& rule = GetParam();
  try {
    resolve_config(std::nullopt, rule.overrides);
    FAIL() << "config was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(rule.expected), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << rule.expected;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Audio, ValidationRule,
    ::testing::Values(
        RuleCase{{"audio.sample_rate=500"}, "audio.sample_rate must be in [1000, 384000], got 500"},
        RuleCase{{"audio.n_fft=8", "audio.win_length=8", "audio.hop_length=4", "audio.n_mels=4",
                  "model.upsample_scales=4", "train.max_time_steps=4096"},
                 "audio.n_fft must be at least 16, got 8"},
        RuleCase{{"audio.win_length=2048"}, "audio.win_length must be in [1, audio.n_fft=1024], got 2048"},
        RuleCase{{"audio.hop_length=0"}, "audio.hop_length must be in [1, audio.n_fft=1024], got 0"},
        RuleCase{{"audio.n_mels=600"}, "audio.n_mels must be in [1, n_fft/2+1=513], got 600"},
        RuleCase{{"audio.fmin=-1"}, "audio.fmin must be zero or more, got -1.0"},
        RuleCase{{"audio.fmax=12000"}, "audio.fmax must be above audio.fmin and at most sample_rate/2=11025.0, got 12000.0"},
        RuleCase{{"audio.fmin=8000"}, "audio.fmax must be above audio.fmin"},
        RuleCase{{"audio.power=3"}, "audio.power must be 1 or 2, got 3"},
        RuleCase{{"audio.compression=log2"}, "audio.compression must be one of log10, ln, db, got 'log2'"},
        RuleCase{{"audio.log_floor=0"}, "audio.log_floor must be positive, got 0.0"},
        RuleCase{{"audio.trim_top_db=-1"}, "audio.trim_top_db must be zero or more, got -1.0"},
        RuleCase{{"audio.highpass_hz=20000"}, "audio.highpass_hz must be in [0, sample_rate/2), got 20000.0"},
        RuleCase{{"audio.peak_normalize=1.5"}, "audio.peak_normalize must be in [0.0, 1.0], got 1.5"},
        RuleCase{{"audio.gain_db=nan"}, "audio.gain_db must be a finite number"},
        RuleCase{{"audio.preemphasis=1"}, "audio.preemphasis must be in [0.0, 1.0), got 1.0"}));

INSTANTIATE_TEST_SUITE_P(
    Model, ValidationRule,
    ::testing::Values(
        RuleCase{{"model.layers=0"}, "model.layers must be positive, got 0"},
        RuleCase{{"model.stacks=0"}, "model.stacks must be positive, got 0"},
        RuleCase{{"model.layers=2"}, "model.layers must be at least model.stacks=4, got 2"},
        RuleCase{{"model.residual_channels=0"}, "model.residual_channels must be positive, got 0"},
        RuleCase{{"model.gate_channels=127"}, "model.gate_channels must be positive and even"},
        RuleCase{{"model.skip_channels=-1"}, "model.skip_channels must be positive, got -1"},
        RuleCase{{"model.kernel_size=5"}, "model.kernel_size must be 2 or 3, got 5"},
        RuleCase{{"model.input=float"}, "model.input must be one of mulaw, raw, got 'float'"},
        RuleCase{{"model.output=laplace"}, "model.output must be one of softmax, mol, gaussian, got 'laplace'"},
        RuleCase{{"model.quantize_channels=1"}, "model.quantize_channels must be in [2, 65536], got 1"},
        RuleCase{{"model.mixture_components=0"}, "model.mixture_components must be positive, got 0"},
        RuleCase{{"model.log_scale_min=1"}, "model.log_scale_min must be negative, got 1.0"},
        RuleCase{{"model.upsample_scales=[]"}, "model.upsample_scales must not be empty"},
        RuleCase{{"model.linear_prediction=65"}, "model.linear_prediction must be in [0, 64], got 65"},
        RuleCase{{"model.linear_prediction=16", "model.local_conditioning=false"},
                 "model.linear_prediction needs model.local_conditioning"},
        RuleCase{{"model.long_term_prediction=1"}, "model.long_term_prediction must be in [0.0, 1.0), got 1.0"},
        RuleCase{{"model.long_term_prediction=0.8", "model.linear_prediction=16"},
                 "model.long_term_prediction needs model.linear_prediction and model.pitch_harmonics"},
        RuleCase{{"model.linear_prediction=16", "data.normalize_mel=true"},
                 "model.linear_prediction reads the mel as the recipe made it: set data.normalize_mel=false"},
        RuleCase{{"model.upsample_scales=0,256"}, "model.upsample_scales must all be at least 1"},
        RuleCase{{"model.upsample_scales=4,4"}, "model.upsample_scales must multiply to audio.hop_length=256, got 16"},
        RuleCase{{"model.upsample_mode=bilinear"}, "model.upsample_mode must be one of nearest, transposed, got 'bilinear'"},
        RuleCase{{"model.cond_kernel_size=4"}, "model.cond_kernel_size must be a positive odd number, got 4"},
        RuleCase{{"model.n_labels=-1"}, "model.n_labels must be zero or more, got -1"},
        RuleCase{{"model.label_embedding=0"}, "model.label_embedding must be positive, got 0"},
        RuleCase{{"model.dropout=1"}, "model.dropout must be in [0.0, 1.0), got 1.0"}));

INSTANTIATE_TEST_SUITE_P(
    Train, ValidationRule,
    ::testing::Values(
        RuleCase{{"train.device=gpu"}, "train.device must be auto, cpu, cuda or cuda:N, got 'gpu'"},
        RuleCase{{"train.batch_size=0"}, "train.batch_size must be positive, got 0"},
        RuleCase{{"train.max_time_steps=1000"}, "train.max_time_steps must be a positive multiple of audio.hop_length=256, got 1000"},
        RuleCase{{"train.max_steps=0"}, "train.max_steps must be positive, got 0"},
        RuleCase{{"train.lr=0"}, "train.lr must be positive, got 0.0"},
        RuleCase{{"train.lr_schedule=linear"}, "train.lr_schedule must be one of constant, step, noam, cosine, got 'linear'"},
        RuleCase{{"train.warmup_steps=-1"}, "train.warmup_steps must be zero or more, got -1"},
        RuleCase{{"train.lr_decay_steps=0"}, "train.lr_decay_steps must be positive, got 0"},
        RuleCase{{"train.lr_decay_rate=1.5"}, "train.lr_decay_rate must be in (0, 1], got 1.5"},
        RuleCase{{"train.adam_beta1=1"}, "train.adam_beta1 must be in [0.0, 1.0), got 1.0"},
        RuleCase{{"train.adam_beta2=-0.1"}, "train.adam_beta2 must be in [0.0, 1.0), got -0.1"},
        RuleCase{{"train.adam_eps=0"}, "train.adam_eps must be positive, got 0.0"},
        RuleCase{{"train.weight_decay=-1"}, "train.weight_decay must be zero or more, got -1.0"},
        RuleCase{{"train.grad_clip=-1"}, "train.grad_clip must be zero or more, got -1.0"},
        RuleCase{{"train.ema_decay=1"}, "train.ema_decay must be in [0.0, 1.0), got 1.0"},
        RuleCase{{"train.log_every=0"}, "train.log_every must be positive, got 0"},
        RuleCase{{"train.eval_every=-1"}, "train.eval_every must be zero or more, got -1"},
        RuleCase{{"train.checkpoint_every=0"}, "train.checkpoint_every must be positive, got 0"},
        RuleCase{{"train.keep_last=0"}, "train.keep_last must be positive, got 0"},
        RuleCase{{"train.max_bad_steps=0"}, "train.max_bad_steps must be positive, got 0"},
        RuleCase{{"train.bucket_mb=0"}, "train.bucket_mb must be positive, got 0.0"},
        RuleCase{{"train.dist_timeout_s=0"}, "train.dist_timeout_s must be positive, got 0.0"},
        RuleCase{{"train.eval_audio_seconds=-1"}, "train.eval_audio_seconds must be zero or more, got -1.0"},
        RuleCase{{"train.eval_utterances=0"}, "train.eval_utterances must be positive, got 0"}));

INSTANTIATE_TEST_SUITE_P(
    DataAndEngine, ValidationRule,
    ::testing::Values(
        RuleCase{{"data.shard_size_mb=0"}, "data.shard_size_mb must be positive, got 0.0"},
        RuleCase{{"data.valid_fraction=1"}, "data.valid_fraction must be in [0.0, 1.0), got 1.0"},
        RuleCase{{"data.label_source=speaker"}, "data.label_source must be one of none, folder, column, got 'speaker'"},
        RuleCase{{"data.label_column=-1"}, "data.label_column must be zero or more, got -1"},
        RuleCase{{"data.threads=-1"}, "data.threads must be zero or more, got -1"},
        RuleCase{{"engine.threads=-1"}, "engine.threads must be zero or more, got -1"},
        RuleCase{{"engine.batch=0"}, "engine.batch must be positive, got 0"},
        RuleCase{{"engine.precision=fp16"}, "engine.precision must be one of fp32, bf16, got 'fp16'"},
        RuleCase{{"engine.temperature=0"}, "engine.temperature must be positive, got 0.0"}));

INSTANTIATE_TEST_SUITE_P(
    Dream, ValidationRule,
    ::testing::Values(
        RuleCase{{"dream.steps=0"}, "dream.steps must be positive, got 0"},
        RuleCase{{"dream.lr=0"}, "dream.lr must be positive, got 0.0"},
        RuleCase{{"dream.init_noise=-0.1"}, "dream.init_noise must be zero or more, got -0.1"},
        RuleCase{{"dream.amplitude_bound=1.5"}, "dream.amplitude_bound must be in (0, 1], got 1.5"},
        RuleCase{{"dream.max_shift_frames=-1"}, "dream.max_shift_frames must be zero or more, got -1.0"},
        RuleCase{{"dream.range_weight=-1"}, "dream.range_weight must be zero or more, got -1.0"},
        RuleCase{{"dream.range_std=-1"}, "dream.range_std must be zero or more, got -1.0"},
        RuleCase{{"dream.out_of_band_weight=-1"}, "dream.out_of_band_weight must be zero or more, got -1.0"},
        RuleCase{{"dream.tv_weight=-1"}, "dream.tv_weight must be zero or more, got -1.0"},
        RuleCase{{"dream.realness_weight=-1"}, "dream.realness_weight must be zero or more, got -1.0"},
        RuleCase{{"dream.discriminator=d.pt", "dream.discriminator_label="},
                 "dream.discriminator_label must name the discriminator's label for corpus audio, got ''"}));

TEST(Validation, DefaultsHaveNoProblems) { EXPECT_TRUE(config_problems(Config{}).empty()); }

TEST(Validation, UnconditionalModelIgnoresUpsampleScales) {
  const Config config =
      resolve_config(std::nullopt, {"model.local_conditioning=false", "model.upsample_scales=[]"});
  EXPECT_FALSE(config.model.local_conditioning);
}

TEST(Validation, ListsEveryProblem) {
  Config config;
  config.model.kernel_size = 7;
  config.engine.batch = 0;
  config.audio.power = 5;
  const auto problems = config_problems(config);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("audio.power"), std::string::npos);
  EXPECT_NE(problems[1].find("model.kernel_size"), std::string::npos);
  EXPECT_NE(problems[2].find("engine.batch"), std::string::npos);
  EXPECT_THROW(validate_config(config), ConfigError);
}

}  // namespace
}  // namespace wn
