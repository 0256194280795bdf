#pragma once
// Audio files through libsndfile: any format it reads (wav of every sample format, flac, ogg,
// aiff, mp3 where the library has it), mixed to mono float in [-1, 1].

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace wn {

struct AudioInfo {
  int64_t frames = 0;
  int sample_rate = 0;
  int channels = 0;
};

struct MonoAudio {
  std::vector<float> samples;
  int sample_rate = 0;
};

// Header only. Throws IoError naming the file and libsndfile's reason.
AudioInfo probe_audio(const std::filesystem::path& path);

// Decodes and averages channels. Throws IoError for unreadable or empty files and for NaN/Inf.
MonoAudio read_audio_mono(const std::filesystem::path& path);
// The same from a file's bytes in memory; `name` stands for the file in messages.
MonoAudio decode_audio_mono(std::string_view bytes, const std::string& name);

enum class WavEncoding { pcm16, float32 };

// Writes a mono wav atomically (16-bit PCM clips to [-1, 1]).
void write_wav(const std::filesystem::path& path, const std::vector<float>& samples,
               int sample_rate, WavEncoding encoding = WavEncoding::pcm16);

// A complete 16-bit PCM mono wav file in memory (for TensorBoard audio summaries).
std::string encode_wav(const std::vector<float>& samples, int sample_rate);

// Extensions libsndfile can read, lower case with the dot (".wav", ".flac", ...).
bool has_audio_extension(const std::filesystem::path& path);

}  // namespace wn
