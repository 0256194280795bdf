// Pitch-conditioned WaveNet (model.pitch_harmonics): the sine source follows its F0 with a
// continuous phase however its frames arrive; the pitch head's plain loops equal the module and
// the head learns F0 from a mel; the engine equals the LibTorch forward given the head's F0 (and
// the source reaches the layers); streaming and padded rows equal a batch of one; training adds
// the head's loss, validation does not.

#include "nets/wavenet/harmonic_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <random>

#include "core/config/config_io.h"
#include "dataio/loader.h"
#include "dataio/mel.h"
#include "nets/model_registry.h"
#include "tests/nets/wavenet/generation_checks.h"
#include "nets/wavenet/pitch_head.h"
#include "nets/wavenet/wavenet.h"

namespace wn {
namespace {

constexpr int kRate = 22050;

Config pitch_config(int harmonics) {
  return resolve_config(std::filesystem::path(WAVENET_SOURCE_CONFIG_DIR) / "tiny.yaml",
                        {"model.pitch_harmonics=" + std::to_string(harmonics)});
}

// A glide (fundamental and second harmonic) with a pause in the middle.
torch::Tensor voice(int64_t samples, double from_hz, double to_hz) {
  std::vector<float> x(static_cast<std::size_t>(samples));
  double phase = 0;
  for (int64_t t = 0; t < samples; ++t) {
    const double hz = from_hz + (to_hz - from_hz) * t / samples;
    phase += hz / kRate;
    const bool pause = t > samples / 2 && t < samples / 2 + 1500;
    x[t] = pause ? 0.0f : static_cast<float>(0.3 * std::sin(2 * M_PI * phase) + 0.15 * std::sin(4 * M_PI * phase));
  }
  return torch::tensor(x);
}

torch::Tensor mel_of(const Config& config, const torch::Tensor& audio) { return test::request_mel(config, audio); }

// An untrained model whose pitch head calls every frame voiced, near 150 Hz but varying with
// the mel, so that the source is on and differs from frame to frame.
std::unique_ptr<Model> voiced_model(const Config& config) {
  torch::manual_seed(3);
  std::unique_ptr<Model> model = build_model(config, 0);
  torch::NoGradGuard no_grad;
  for (auto& p : model->module().named_parameters()) {
    if (p.key() == "pitch_head.out.bias") p.value().copy_(torch::tensor({4.0f, 0.4f}));
    if (p.key() == "pitch_head.out.weight") p.value().mul_(0.3);
  }
  return model;
}

WaveNetImpl& wavenet_of(Model& model) { return dynamic_cast<WaveNetImpl&>(model.module()); }

TEST(HarmonicSource, FollowsTheF0AndKeepsItsPhaseThroughUnvoicedFrames) {
  const int hop = 256, harmonics = 3;
  std::vector<float> f0(12, 200.0f);
  for (int f = 5; f < 8; ++f) f0[f] = 0.0f;  // a pause
  HarmonicSource whole(harmonics, hop, kRate);
  whole.add_frames(f0.data(), 12);
  ASSERT_EQ(whole.channels(), 7);
  std::vector<float> c(7);
  for (int64_t t = 0; t < 12 * hop; ++t) {
    whole.at(t, c.data());
    const int64_t f = t / hop;
    if (f0[f] == 0.0f) {
      for (float v : c) ASSERT_EQ(v, 0.0f) << "t " << t;
      continue;
    }
    // The phase stands still through the pause: voiced time is t less the pause's samples.
    const int64_t voiced_t = f < 5 ? t : t - 3 * hop;
    ASSERT_EQ(c[0], 1.0f);
    for (int h = 1; h <= harmonics; ++h) {
      const double angle = 2 * M_PI * h * 200.0 * voiced_t / kRate;
      ASSERT_NEAR(c[2 * h - 1], std::sin(angle), 2e-5) << "t " << t << " h " << h;
      ASSERT_NEAR(c[2 * h], std::cos(angle), 2e-5) << "t " << t << " h " << h;
    }
  }
  // Frames streamed in pieces make the same source, bit for bit; a frame not yet known is silent.
  HarmonicSource pieces(harmonics, hop, kRate);
  std::vector<float> a(7), b(7);
  pieces.add_frames(f0.data(), 4);
  pieces.at(5 * hop, a.data());
  for (float v : a) EXPECT_EQ(v, 0.0f);
  pieces.add_frames(f0.data() + 4, 1);
  pieces.add_frames(f0.data() + 5, 7);
  for (int64_t t = 0; t < 12 * hop; t += 7) {
    whole.at(t, a.data());
    pieces.at(t, b.data());
    ASSERT_EQ(a, b) << "t " << t;
  }
  EXPECT_EQ(harmonic_source_track(harmonics, hop, kRate, f0.data(), 12).size(), 7u * 12 * hop);
}

// Locked to the phases of a 203 Hz fundamental while the track says 200 Hz, the source follows
// the fundamental, not the track; free-running, it drifts away from it.
TEST(HarmonicSource, LockedPhasesFollowTheAudiosFundamental) {
  const int hop = 256, frames = 16;
  const double true_hz = 203.0, offset = 0.3;
  std::vector<float> f0(frames, 200.0f), phase(frames);
  for (int f = 0; f < frames; ++f) {
    const double cycles = true_hz * f * hop / kRate + offset;
    phase[f] = static_cast<float>(cycles - std::floor(cycles));
  }
  const std::vector<float> locked = harmonic_source_track(1, hop, kRate, f0.data(), frames, phase.data());
  const std::vector<float> free = harmonic_source_track(1, hop, kRate, f0.data(), frames);
  const int64_t samples = static_cast<int64_t>(frames - 1) * hop;  // the last frame has no anchor after it
  double locked_error = 0, free_error = 0;
  for (int64_t t = 0; t < samples; ++t) {
    const double angle = 2 * M_PI * (true_hz * t / kRate + offset);
    locked_error = std::max(locked_error, std::fabs(locked[frames * hop + t] - std::sin(angle)));  // channel 1: sin
    free_error = std::max(free_error, std::fabs(free[frames * hop + t] - std::sin(angle)));
  }
  EXPECT_LT(locked_error, 1e-4);
  EXPECT_GT(free_error, 0.5);
}

TEST(PitchHead, PlainLoopsAndStreamedRowsEqualTheModule) {
  const Config config = pitch_config(2);
  std::unique_ptr<Model> model = voiced_model(config);
  WaveNetImpl& net = wavenet_of(*model);
  const torch::Tensor mel = mel_of(config, voice(20 * 256, 120, 220));
  const PitchConditioning pitch = net.pitch_conditioning();
  ASSERT_TRUE(pitch.active());
  EXPECT_EQ(pitch.channels(), 5);
  EXPECT_EQ(pitch.hop, 256);
  // The module's own F0 through the WaveNet: its head is registered as pitch_head.
  torch::Tensor expected;
  for (const auto& child : net.named_children()) {
    if (child.key() == "pitch_head") expected = std::dynamic_pointer_cast<PitchHeadImpl>(child.value())->f0(mel)[0];
  }
  ASSERT_TRUE(expected.defined());
  ASSERT_EQ(expected.size(0), mel.size(1) - 4);
  const torch::Tensor rows = mel[0].contiguous();
  PitchRows at_once(pitch, 1), one_by_one(pitch, 1);
  at_once.add(0, rows.data_ptr<float>(), rows.size(0));
  for (int64_t r = 0; r < rows.size(0); ++r) one_by_one.add(0, rows[r].data_ptr<float>(), 1);
  const std::vector<float> plain = at_once.f0(0);
  ASSERT_EQ(static_cast<int64_t>(plain.size()), expected.size(0));
  EXPECT_EQ(plain, one_by_one.f0(0));
  double lowest = 1e9, highest = 0;
  for (std::size_t f = 0; f < plain.size(); ++f) {
    ASSERT_GT(plain[f], 0.0f);
    EXPECT_NEAR(plain[f], expected[f].item<float>(), 1e-3 * plain[f]) << "frame " << f;
    lowest = std::min<double>(lowest, plain[f]);
    highest = std::max<double>(highest, plain[f]);
  }
  EXPECT_GT(highest - lowest, 1.0) << "the head's F0 should follow the mel";
}

// The head alone, trained on the mels of glides against their known F0, learns it.
TEST(PitchHead, LearnsTheF0OfAGlideFromItsMel) {
  const Config config = pitch_config(1);
  torch::manual_seed(1);
  PitchHead head(config.audio.n_mels, config.model.cond_kernel_size);
  std::vector<torch::Tensor> mels, targets;
  for (int i = 0; i < 4; ++i) {
    const double from = 90 + 40 * i, to = from + 60;
    const int64_t frames = 24;
    mels.push_back(mel_of(config, voice(frames * 256, from, to)));
    torch::Tensor f0 = torch::empty({1, frames});
    for (int64_t f = 0; f < frames; ++f) {
      const bool pause = f * 256 > frames * 256 / 2 && f * 256 < frames * 256 / 2 + 1500;
      f0[0][f] = pause ? 0.0 : from + (to - from) * f / frames;
    }
    targets.push_back(f0);
  }
  const torch::Tensor mel = torch::cat(mels), f0 = torch::cat(targets);
  torch::optim::Adam adam(head->parameters(), torch::optim::AdamOptions(3e-3));
  const double before = pitch_head_loss(head->forward(mel), f0).item<double>();
  for (int step = 0; step < 1200; ++step) {
    adam.zero_grad();
    const torch::Tensor loss = pitch_head_loss(head->forward(mel), f0);
    loss.backward();
    adam.step();
  }
  const double after = pitch_head_loss(head->forward(mel), f0).item<double>();
  EXPECT_LT(after, before * 0.1) << before << " -> " << after;
  const torch::Tensor hz = head->f0(mel);
  int voiced = 0;
  for (int64_t b = 0; b < hz.size(0); ++b) {
    for (int64_t f = 2; f < hz.size(1) - 2; ++f) {
      if (f0[b][f].item<float>() == 0.0f) continue;
      EXPECT_NEAR(hz[b][f].item<float>(), f0[b][f].item<float>(), 0.1 * f0[b][f].item<float>()) << "row " << b << " frame " << f;
      ++voiced;
    }
  }
  EXPECT_GT(voiced, 40);
}

// Teacher-forced, the engine's outputs equal the LibTorch forward given the head's F0 track; a
// different F0 changes them, so the source does reach the layers.
TEST(PitchConditioning, EngineEqualsTheForwardWithTheHeadsF0) {
  const Config config = pitch_config(4);
  std::unique_ptr<Model> model = voiced_model(config);
  WaveNetImpl& net = wavenet_of(*model);
  net.eval();
  const torch::Tensor audio = voice(10 * 256, 140, 180);
  const torch::Tensor mel = mel_of(config, audio);
  GenerationRequest request;
  request.mel = mel;
  request.samples = audio.numel();
  request.teacher = audio.unsqueeze(0);
  FastGeneratorOptions fast;
  fast.threads = 2;
  torch::Tensor engine_out, reference_out;
  model->fast_generator(fast)->generate(request, 1, &engine_out);
  model->reference_generator()->generate(request, 1, &reference_out);

  PitchRows rows(net.pitch_conditioning(), 1);
  rows.add(0, mel[0].contiguous().data_ptr<float>(), mel.size(1));
  const torch::Tensor f0 = torch::tensor(rows.f0(0)).unsqueeze(0);
  const torch::Tensor previous = torch::cat({torch::zeros({1, 1}), audio.unsqueeze(0).narrow(1, 0, audio.numel() - 1)}, 1);
  torch::NoGradGuard no_grad;
  const torch::Tensor forward = net.forward(net.encode_input(previous), mel, {}, f0);
  const double scale = forward.abs().max().item<double>();
  EXPECT_LT((engine_out - forward).abs().max().item<double>(), 1e-4 * scale);
  EXPECT_LT((reference_out - forward).abs().max().item<double>(), 1e-4 * scale);
  const torch::Tensor shifted = net.forward(net.encode_input(previous), mel, {}, f0 * 1.5);
  EXPECT_GT((shifted - forward).abs().max().item<double>(), 1e-2 * scale);
}

TEST(PitchConditioning, StreamsAndShortRowsEqualABatchOfOne) {
  const Config config = pitch_config(3);
  std::unique_ptr<Model> model = voiced_model(config);
  FastGeneratorOptions fast;
  fast.threads = 2;
  std::unique_ptr<Generator> engine = model->fast_generator(fast);
  const torch::Tensor long_mel = mel_of(config, voice(10 * 256, 120, 160));
  const torch::Tensor short_mel = mel_of(config, voice(6 * 256, 200, 150));
  test::expect_streams_and_short_rows_equal_a_batch_of_one(*engine, config, long_mel, short_mel);
}

// Training's loss is the waveform's NLL (with the source at the audio's own F0) plus the head's
// loss; validation's is the NLL alone.
TEST(PitchConditioning, TrainingAddsTheHeadsLossValidationDoesNot) {
  const Config config = pitch_config(2);
  std::unique_ptr<Model> model = voiced_model(config);
  ASSERT_TRUE(model->data_needs().f0);
  WaveNetImpl& net = wavenet_of(*model);
  const torch::Tensor audio = voice(8 * 256, 150, 150);
  Batch batch;
  batch.audio = audio.unsqueeze(0);
  batch.mel = mel_of(config, audio);
  batch.label = torch::full({1}, -1, torch::kLong);
  batch.f0 = torch::full({1, 8 + 4}, 150.0f);
  batch.f0[0][0] = 0.0f;
  batch.f0_phase = torch::rand({1, 8 + 4});
  net.train();
  const double training = model->loss(batch, torch::kCPU).item<double>();
  net.eval();
  const double validation = model->loss(batch, torch::kCPU).item<double>();
  const double head = pitch_head_loss(net.pitch_outputs(batch.mel), batch.f0.narrow(1, 2, 8)).item<double>();
  EXPECT_GT(head, 0.01);
  EXPECT_NEAR(training - validation, head, 1e-4 * std::max(1.0, training));
  Batch without = batch;
  without.f0 = torch::Tensor();
  EXPECT_THROW(model->loss(without, torch::kCPU), c10::Error);
}

}  // namespace
}  // namespace wn
