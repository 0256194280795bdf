#pragma once
// Audio files made at test time, in any format libsndfile writes, plus broken ones.

#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace wn::test {

// A sine of `hz` at amplitude `amplitude`, `seconds` long.
inline std::vector<float> sine(double hz, int sample_rate, double seconds, float amplitude = 0.5f) {
  std::vector<float> out(static_cast<std::size_t>(std::lround(seconds * sample_rate)));
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = amplitude * static_cast<float>(std::sin(2.0 * M_PI * hz * i / sample_rate));
  }
  return out;
}

// Writes interleaved `samples` with libsndfile; `format` e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_24.
inline void write_audio(const std::filesystem::path& path, const std::vector<float>& interleaved,
                        int channels, int sample_rate, int format) {
  std::filesystem::create_directories(path.parent_path());
  SF_INFO info{};
  info.channels = channels;
  info.samplerate = sample_rate;
  info.format = format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) throw std::runtime_error("fixture: cannot write " + path.string() + ": " + sf_strerror(nullptr));
  sf_writef_float(file, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
  sf_close(file);
}

inline void write_wav16(const std::filesystem::path& path, const std::vector<float>& samples,
                        int sample_rate) {
  write_audio(path, samples, 1, sample_rate, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
}

// A float wav whose samples include a NaN.
inline void write_nan_wav(const std::filesystem::path& path, int sample_rate) {
  std::vector<float> samples = sine(300, sample_rate, 0.5);
  samples[samples.size() / 2] = std::nanf("");
  write_audio(path, samples, 1, sample_rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
}

// A valid wav cut inside its header.
inline void write_truncated_wav(const std::filesystem::path& path, int sample_rate) {
  write_wav16(path, sine(300, sample_rate, 0.5), sample_rate);
  std::filesystem::resize_file(path, 20);
}

}  // namespace wn::test
