#pragma once
// TensorBoard event files written directly: TFRecord framing (length, masked CRC-32C of the
// length, a serialized tensorflow.Event protobuf, masked CRC-32C of the data), with scalar,
// audio and image summaries. No TensorFlow or protobuf library needed; `tensorboard --logdir` reads it.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/crc32c.h"

namespace wn {

class EventWriter {
 public:
  // Creates DIR/events.out.tfevents.<seconds>.<host>.<pid> and writes the version record.
  explicit EventWriter(const std::filesystem::path& dir);
  const std::filesystem::path& path() const { return path_; }

  void add_scalar(const std::string& tag, float value, int64_t step);
  // `wav` is a complete encoded wav file (content type audio/wav).
  void add_audio(const std::string& tag, std::string_view wav, float sample_rate, int64_t frames,
                 int64_t step);
  // `png` is a complete PNG file of width x height pixels, RGB or RGBA (`channels` 3 or 4).
  void add_image(const std::string& tag, std::string_view png, int width, int height, int channels, int64_t step);
  void flush();

 private:
  void write_event(const std::string& event);
  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace wn
