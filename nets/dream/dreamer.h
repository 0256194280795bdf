#pragma once
// Dreaming: gradient ascent (Adam) on a waveform to raise a trained critic's score, through the
// differentiable log-mel. Left alone, such ascent finds adversarial noise the critic happens to
// like; the regularisers of the `dream:` config keep the audio within what the critic learned
// from: a random time shift each step (nothing can hide in one STFT alignment), a penalty on mel
// bands louder than the corpus ever was, a penalty on power the mel cannot see (outside
// [fmin, fmax]), the spectrogram's total variation over time, a hard amplitude bound (the
// waveform is bound * tanh of the parameter) and, optionally, a discriminator's belief that the
// audio is corpus audio.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "nets/model_loading.h"

namespace wn {

// One step's figures. `score` is in the critic's units (the target's, or a probability); the
// penalties are before their weights; `realness` is the discriminator's log-probability of
// corpus audio (0 without one).
struct DreamStep {
  double score = 0.0;
  double range = 0.0;
  double out_of_band = 0.0;
  double total_variation = 0.0;
  double realness = 0.0;
};

struct DreamResult {
  std::vector<float> audio;  // at the critic's sample rate, |sample| < amplitude_bound
  std::vector<DreamStep> steps;
};

class Dreamer {
 public:
  // `critic` must be a critic (Model::critic()); `discriminator`, when given, a classifier whose
  // labels include settings.discriminator_label, with the critic's sample rate.
  Dreamer(const LoadedModel& critic, const DreamConfig& settings, const LoadedModel* discriminator = nullptr);
  ~Dreamer();

  // Ascends from `start` (samples at the critic's sample rate; the length is kept), calling
  // on_step after each step.
  DreamResult run(const std::vector<float>& start,
                  const std::function<void(int step, const DreamStep&)>& on_step = nullptr) const;
  // The class whose probability a classifier critic raises (dream.label); -1 for regression.
  int64_t label() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
  DreamConfig settings_;
};

// White noise of settings.init_noise standard deviation (seeded by settings.seed).
std::vector<float> dream_noise_start(int64_t samples, const DreamConfig& settings);

}  // namespace wn
