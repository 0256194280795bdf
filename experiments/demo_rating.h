#pragma once
// `wavenet demo --corpus rating`: the rating network and dreaming end to end on the tone corpus
// with a known taste (rating_corpus.h): corpus, preprocess with popularity targets, a
// time-boxed training run of configs/rating.yaml, the validation correlation, then dreams from
// quiet noise and from the corpus clip the critic rates lowest, with their scores before and
// after.

#include <filesystem>

#include "core/config/config.h"

namespace wn::cli {

struct RatingDemoOptions {
  std::filesystem::path out = "demo_rating";
  double train_seconds = 240;
  double dream_seconds = 1.0;
  int clips = 200;
  Config config;  // configs/rating.yaml under the user's --config and key=value arguments
};

// Prints the summary and writes it to OUT/summary.txt.
void run_rating_demo(const RatingDemoOptions& options);

}  // namespace wn::cli
