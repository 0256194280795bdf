#include "dataio/audio_io.h"

#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <memory>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

SndfileHandle open_for_reading(const fs::path& path, SF_INFO& info) {
  if (!fs::exists(path)) throw IoError(path.string() + ": file not found");
  info = SF_INFO{};
  SndfileHandle file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) throw IoError(path.string() + ": cannot read audio: " + sf_strerror(nullptr));
  if (info.channels < 1 || info.samplerate < 1) {
    throw IoError(path.string() + ": invalid header (channels or sample rate)");
  }
  return file;
}

}  // namespace

AudioInfo probe_audio(const fs::path& path) {
  SF_INFO info;
  open_for_reading(path, info);
  return AudioInfo{info.frames, info.samplerate, info.channels};
}

namespace {

// Mixes to mono whatever an open handle decodes; `name` is the file's name for messages.
MonoAudio decode_mono(SNDFILE* file, const SF_INFO& info, const std::string& name) {
  if (info.channels < 1 || info.samplerate < 1) throw IoError(name + ": invalid header (channels or sample rate)");
  if (info.frames <= 0) throw IoError(name + ": no audio samples (empty file)");
  // Integer formats are normalised to [-1, 1]; floats are passed through unchanged.
  sf_command(file, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);

  const int channels = info.channels;
  MonoAudio audio;
  audio.sample_rate = info.samplerate;
  // The header's frame count is a hint, not a promise: a damaged header may claim terabytes.
  constexpr sf_count_t kMostReserved = sf_count_t{1} << 24;
  audio.samples.reserve(static_cast<std::size_t>(std::min(info.frames, kMostReserved)));
  std::vector<float> block(static_cast<std::size_t>(4096 * channels));
  while (true) {
    const sf_count_t got = sf_readf_float(file, block.data(), 4096);
    if (got <= 0) break;
    for (sf_count_t f = 0; f < got; ++f) {
      float sum = 0.0f;
      for (int c = 0; c < channels; ++c) sum += block[static_cast<std::size_t>(f * channels + c)];
      audio.samples.push_back(sum / static_cast<float>(channels));
    }
  }
  if (sf_error(file) != SF_ERR_NO_ERROR) throw IoError(name + ": decode error: " + sf_strerror(file));
  if (audio.samples.empty()) throw IoError(name + ": no audio samples (truncated data)");
  const auto bad = std::find_if(audio.samples.begin(), audio.samples.end(),
                                [](float x) { return !std::isfinite(x); });
  if (bad != audio.samples.end()) {
    throw IoError(name + ": non-finite sample (NaN or Inf) at frame " + std::to_string(bad - audio.samples.begin()));
  }
  return audio;
}

// libsndfile virtual IO over bytes in memory: a view to decode from (decode_audio_mono) or a
// growing string to encode into (encode_wav).
template <class Bytes>
struct MemoryFile {
  Bytes bytes;
  sf_count_t position = 0;
};
template <class Bytes>
sf_count_t memory_length(void* user) {
  return static_cast<sf_count_t>(static_cast<MemoryFile<Bytes>*>(user)->bytes.size());
}
template <class Bytes>
sf_count_t memory_seek(sf_count_t offset, int whence, void* user) {
  auto* f = static_cast<MemoryFile<Bytes>*>(user);
  const sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->position : memory_length<Bytes>(user);
  if (base + offset < 0) return -1;
  f->position = base + offset;
  return f->position;
}
template <class Bytes>
sf_count_t memory_read(void* out, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile<Bytes>*>(user);
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, memory_length<Bytes>(user) - f->position));
  std::copy_n(f->bytes.data() + f->position, n, static_cast<char*>(out));
  f->position += n;
  return n;
}
template <class Bytes>
sf_count_t memory_tell(void* user) {
  return static_cast<MemoryFile<Bytes>*>(user)->position;
}
sf_count_t memory_write(const void* data, sf_count_t count, void* user) {
  auto* f = static_cast<MemoryFile<std::string>*>(user);
  const auto end = static_cast<std::size_t>(f->position + count);
  if (f->bytes.size() < end) f->bytes.resize(end);
  std::copy_n(static_cast<const char*>(data), count, f->bytes.data() + f->position);
  f->position += count;
  return count;
}
sf_count_t refuse_write(const void*, sf_count_t, void*) { return 0; }

template <class Bytes>
SF_VIRTUAL_IO memory_io(sf_vio_write write) {
  return SF_VIRTUAL_IO{memory_length<Bytes>, memory_seek<Bytes>, memory_read<Bytes>, write, memory_tell<Bytes>};
}

}  // namespace

MonoAudio read_audio_mono(const fs::path& path) {
  SF_INFO info;
  SndfileHandle file = open_for_reading(path, info);
  return decode_mono(file.get(), info, path.string());
}

MonoAudio decode_audio_mono(std::string_view bytes, const std::string& name) {
  SF_VIRTUAL_IO io = memory_io<std::string_view>(refuse_write);
  MemoryFile<std::string_view> view{bytes, 0};
  SF_INFO info{};
  SndfileHandle file(sf_open_virtual(&io, SFM_READ, &info, &view));
  if (!file) throw IoError(name + ": cannot read audio: " + sf_strerror(nullptr));
  return decode_mono(file.get(), info, name);
}

void write_wav(const fs::path& path, const std::vector<float>& samples, int sample_rate,
               WavEncoding encoding) {
  AtomicFile file(path);
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | (encoding == WavEncoding::pcm16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT);
  {
    SndfileHandle out(sf_open(file.temp_path().c_str(), SFM_WRITE, &info));
    if (!out) throw IoError(path.string() + ": cannot write wav: " + sf_strerror(nullptr));
    // Clip rather than wrap when converting to 16 bit.
    sf_command(out.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    const sf_count_t written =
        sf_writef_float(out.get(), samples.data(), static_cast<sf_count_t>(samples.size()));
    if (written != static_cast<sf_count_t>(samples.size())) {
      throw IoError(path.string() + ": short write: " + sf_strerror(out.get()));
    }
  }
  file.commit();
}

std::string encode_wav(const std::vector<float>& samples, int sample_rate) {
  SF_VIRTUAL_IO io = memory_io<std::string>(memory_write);
  MemoryFile<std::string> file;
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  {
    SndfileHandle out(sf_open_virtual(&io, SFM_WRITE, &info, &file));
    if (!out) throw IoError(std::string("cannot encode wav in memory: ") + sf_strerror(nullptr));
    sf_command(out.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    sf_writef_float(out.get(), samples.data(), static_cast<sf_count_t>(samples.size()));
  }
  return file.bytes;
}

bool has_audio_extension(const fs::path& path) {
  static const std::array<const char*, 14> extensions = {
      ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".aif", ".aiff",
      ".aifc", ".au", ".snd", ".caf", ".w64", ".mp3"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

}  // namespace wn
