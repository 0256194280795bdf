#include "experiments/rating_corpus.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "dataio/audio_io.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

constexpr double kPi = 3.14159265358979323846;

std::string clip_name(int index) {
  char name[32];
  std::snprintf(name, sizeof name, "clip_%04d", index);
  return name;
}

// A tone of `seconds` at a random pitch, its harmonics falling off by `tilt` each (bright when
// tilt is near 1), with a soft attack and decay and a little noise; peak 0.5.
std::vector<float> tone(double brightness, double seconds, int sample_rate, std::mt19937_64& rng) {
  const double f0 = 110.0 * std::pow(2.0, std::uniform_real_distribution<double>(0.0, 2.0)(rng));
  const double tilt = 0.25 + 0.7 * brightness;
  const auto n = static_cast<std::size_t>(seconds * sample_rate);
  std::vector<double> x(n, 0.0);
  const int harmonics = static_cast<int>(0.45 * sample_rate / f0);
  std::uniform_real_distribution<double> phase(0.0, 2 * kPi);
  double amplitude = 1.0;
  for (int h = 1; h <= harmonics; ++h, amplitude *= tilt) {
    const double p = phase(rng);
    for (std::size_t t = 0; t < n; ++t) x[t] += amplitude * std::sin(2 * kPi * f0 * h * t / sample_rate + p);
  }
  std::normal_distribution<double> noise(0.0, 0.01);
  double peak = 1e-9;
  for (std::size_t t = 0; t < n; ++t) {
    const double time = static_cast<double>(t) / sample_rate;
    const double envelope = std::min(1.0, time / 0.02) * std::exp(-1.5 * time);
    x[t] = x[t] * envelope;
    peak = std::max(peak, std::fabs(x[t]));
  }
  std::vector<float> out(n);
  for (std::size_t t = 0; t < n; ++t) out[t] = static_cast<float>(0.5 * x[t] / peak + noise(rng));
  return out;
}

}  // namespace

std::vector<RatingClip> make_rating_corpus(const fs::path& out, const RatingCorpusOptions& options) {
  if (options.clips < 2 || options.seconds <= 0 || options.sample_rate < 1000) {
    throw UserError("rating corpus: needs at least 2 clips of positive length at a sample rate of 1000 Hz or more");
  }
  fs::create_directories(out / "wavs");
  std::vector<RatingClip> clips;
  std::ostringstream metadata;
  for (int i = 0; i < options.clips; ++i) {
    std::mt19937_64 rng(options.seed * 1000003ull + static_cast<uint64_t>(i));
    RatingClip clip;
    clip.brightness = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    // Listeners like bright tones: the like rate rises from 2% to 30% with brightness, times
    // log-normal noise; plays are spread over two orders of magnitude.
    clip.played = static_cast<int64_t>(std::llround(std::exp(std::uniform_real_distribution<double>(std::log(50.0), std::log(5000.0))(rng))));
    const double rate = (0.02 + 0.28 * clip.brightness) * std::exp(std::normal_distribution<double>(0.0, 0.15)(rng));
    clip.liked = std::max<int64_t>(1, std::llround(static_cast<double>(clip.played) * std::min(1.0, rate)));
    if (options.bad_row_every > 0 && (i + 1) % options.bad_row_every == 0) clip.liked = 0;
    const std::vector<float> audio = tone(clip.brightness, options.seconds, options.sample_rate, rng);
    const fs::path wav = out / "wavs" / (clip_name(i) + ".wav");
    if (!fs::exists(wav)) write_wav(wav, audio, options.sample_rate);
    metadata << clip_name(i) << "|" << clip.played << "|" << clip.liked << "\n";
    clips.push_back(clip);
  }
  write_file_atomically(out / "metadata.csv", metadata.str());
  return clips;
}

}  // namespace wn::cli
