#include "core/tensorboard.h"

#include <unistd.h>

#include <chrono>
#include <cstring>

#include "core/errors.h"

namespace wn {
namespace {

// Minimal protobuf encoding: just the wire types the Event message needs.
void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}
void put_key(std::string& out, int field, int wire_type) { put_varint(out, (static_cast<uint64_t>(field) << 3) | wire_type); }
void put_bytes(std::string& out, int field, std::string_view bytes) {
  put_key(out, field, 2);
  put_varint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}
void put_double(std::string& out, int field, double value) {
  put_key(out, field, 1);
  char raw[8];
  std::memcpy(raw, &value, 8);
  out.append(raw, 8);
}
void put_float(std::string& out, int field, float value) {
  put_key(out, field, 5);
  char raw[4];
  std::memcpy(raw, &value, 4);
  out.append(raw, 4);
}
void put_int(std::string& out, int field, int64_t value) {
  put_key(out, field, 0);
  put_varint(out, static_cast<uint64_t>(value));
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// tensorflow.Event: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
// summary = 5 (Summary). Summary.value = 1 (repeated Value). Value: tag = 1, simple_value = 2,
// image = 4 (Image: height = 1, width = 2, colorspace = 3, encoded_image_string = 4),
// audio = 6 (Audio: sample_rate = 1 float, num_channels = 2, length_frames = 3,
// encoded_audio_string = 4, content_type = 5).
std::string event_with_summary_value(int64_t step, const std::string& value) {
  std::string summary;
  put_bytes(summary, 1, value);
  std::string event;
  put_double(event, 1, now_seconds());
  put_int(event, 2, step);
  put_bytes(event, 5, summary);
  return event;
}


}  // namespace

EventWriter::EventWriter(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  path_ = dir / ("events.out.tfevents." + std::to_string(static_cast<int64_t>(now_seconds())) + "." +
                 host + "." + std::to_string(getpid()));
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw IoError(path_.string() + ": cannot create TensorBoard event file");
  std::string event;
  put_double(event, 1, now_seconds());
  put_bytes(event, 3, "brain.Event:2");
  write_event(event);
}

void EventWriter::add_scalar(const std::string& tag, float value, int64_t step) {
  std::string v;
  put_bytes(v, 1, tag);
  put_float(v, 2, value);
  write_event(event_with_summary_value(step, v));
}

void EventWriter::add_audio(const std::string& tag, std::string_view wav, float sample_rate,
                            int64_t frames, int64_t step) {
  std::string audio;
  put_float(audio, 1, sample_rate);
  put_int(audio, 2, 1);
  put_int(audio, 3, frames);
  put_bytes(audio, 4, wav);
  put_bytes(audio, 5, "audio/wav");
  std::string v;
  put_bytes(v, 1, tag);
  put_bytes(v, 6, audio);
  write_event(event_with_summary_value(step, v));
}

void EventWriter::add_image(const std::string& tag, std::string_view png, int width, int height, int channels, int64_t step) {
  std::string image;
  put_int(image, 1, height);
  put_int(image, 2, width);
  put_int(image, 3, channels);
  put_bytes(image, 4, png);
  std::string v;
  put_bytes(v, 1, tag);
  put_bytes(v, 4, image);
  write_event(event_with_summary_value(step, v));
}

void EventWriter::flush() { out_.flush(); }

void EventWriter::write_event(const std::string& event) {
  const uint64_t length = event.size();
  char header[8];
  std::memcpy(header, &length, 8);  // little-endian hosts only (x86-64, arm64)
  const uint32_t length_crc = masked_crc32c(std::string_view(header, 8));
  const uint32_t data_crc = masked_crc32c(event);
  out_.write(header, 8);
  out_.write(reinterpret_cast<const char*>(&length_crc), 4);
  out_.write(event.data(), static_cast<std::streamsize>(event.size()));
  out_.write(reinterpret_cast<const char*>(&data_crc), 4);
  out_.flush();
  if (!out_) throw IoError(path_.string() + ": write failed");
}

}  // namespace wn
