#include "core/tensorboard_reader.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

#include "core/crc32c.h"
#include "core/errors.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

// A protobuf message's fields, read one at a time; only the wire types Event and Summary use.
class ProtoReader {
 public:
  explicit ProtoReader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return at_ >= bytes_.size(); }

  // The next field's number and wire type; false at the end or on malformed bytes.
  bool next(int& field, int& wire_type) {
    if (done()) return false;
    uint64_t key = 0;
    if (!varint(key)) return false;
    field = static_cast<int>(key >> 3);
    wire_type = static_cast<int>(key & 7);
    return true;
  }
  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && at_ < bytes_.size(); shift += 7) {
      const auto byte = static_cast<unsigned char>(bytes_[at_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool fixed(void* out, std::size_t size) {
    if (bytes_.size() - at_ < size) return false;
    std::memcpy(out, bytes_.data() + at_, size);
    at_ += size;
    return true;
  }
  bool bytes(std::string_view& out) {
    uint64_t size = 0;
    if (!varint(size) || size > bytes_.size() - at_) return false;
    out = bytes_.substr(at_, size);
    at_ += size;
    return true;
  }
  // Skips a field of `wire_type` that the caller does not need.
  bool skip(int wire_type) {
    uint64_t v = 0;
    std::string_view s;
    char raw[8];
    switch (wire_type) {
      case 0: return varint(v);
      case 1: return fixed(raw, 8);
      case 2: return bytes(s);
      case 5: return fixed(raw, 4);
      default: return false;
    }
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

// Image: height = 1, width = 2, colorspace = 3, encoded_image_string = 4.
bool read_image(std::string_view bytes, ImageRecord& image) {
  ProtoReader r(bytes);
  int field = 0, wire = 0;
  while (r.next(field, wire)) {
    uint64_t v = 0;
    std::string_view s;
    if ((field == 1 || field == 2) && wire == 0) {
      if (!r.varint(v)) return false;
      (field == 1 ? image.height : image.width) = static_cast<int>(v);
    } else if (field == 4 && wire == 2) {
      if (!r.bytes(s)) return false;
      image.encoded.assign(s);
    } else if (!r.skip(wire)) {
      return false;
    }
  }
  return !image.encoded.empty();
}

// Summary.Value: tag = 1, simple_value = 2 (float), image = 4. Other kinds (audio, tensors) are skipped.
void read_value(std::string_view bytes, int64_t step, double wall_time, RunEvents& events) {
  ProtoReader r(bytes);
  std::string tag;
  std::optional<float> scalar;
  std::optional<ImageRecord> image;
  int field = 0, wire = 0;
  while (r.next(field, wire)) {
    std::string_view s;
    float value = 0;
    if (field == 1 && wire == 2) {
      if (!r.bytes(s)) return;
      tag.assign(s);
    } else if (field == 2 && wire == 5) {
      if (!r.fixed(&value, 4)) return;
      scalar = value;
    } else if (field == 4 && wire == 2) {
      ImageRecord record;
      record.step = step;
      if (!r.bytes(s) || !read_image(s, record)) return;
      image = std::move(record);
    } else if (!r.skip(wire)) {
      return;
    }
  }
  if (tag.empty()) return;
  if (scalar) events.scalars[tag].push_back({step, wall_time, *scalar});
  if (image) events.images[tag].push_back(std::move(*image));
}

// tensorflow.Event: wall_time = 1 (double), step = 2 (int64), summary = 5 (Summary: value = 1, repeated).
void read_event(std::string_view bytes, RunEvents& events) {
  ProtoReader r(bytes);
  double wall_time = 0;
  int64_t step = 0;
  std::vector<std::string_view> summaries;
  int field = 0, wire = 0;
  while (r.next(field, wire)) {
    uint64_t v = 0;
    std::string_view s;
    if (field == 1 && wire == 1) {
      if (!r.fixed(&wall_time, 8)) return;
    } else if (field == 2 && wire == 0) {
      if (!r.varint(v)) return;
      step = static_cast<int64_t>(v);
    } else if (field == 5 && wire == 2) {
      if (!r.bytes(s)) return;
      summaries.push_back(s);
    } else if (!r.skip(wire)) {
      return;
    }
  }
  for (const std::string_view summary : summaries) {
    ProtoReader values(summary);
    while (values.next(field, wire)) {
      std::string_view value_bytes;
      if (field != 1 || wire != 2) {
        if (!values.skip(wire)) break;
        continue;
      }
      if (!values.bytes(value_bytes)) break;
      read_value(value_bytes, step, wall_time, events);
    }
  }
}

// Sorted by step; of points with the same step the last read wins (stable sort keeps file order).
void order_by_step(std::vector<ScalarPoint>& points) {
  std::stable_sort(points.begin(), points.end(), [](const ScalarPoint& a, const ScalarPoint& b) { return a.step < b.step; });
  std::vector<ScalarPoint> kept;
  for (const ScalarPoint& p : points) {
    if (!kept.empty() && kept.back().step == p.step) {
      kept.back() = p;
    } else {
      kept.push_back(p);
    }
  }
  points = std::move(kept);
}

}  // namespace

void read_event_records(const std::string& bytes, const std::string& name, RunEvents& events) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    // length (8) + its masked CRC (4) + data + data's masked CRC (4)
    if (bytes.size() - at < 12) {
      events.truncated = true;
      return;
    }
    uint64_t length = 0;
    uint32_t length_crc = 0;
    std::memcpy(&length, bytes.data() + at, 8);
    std::memcpy(&length_crc, bytes.data() + at + 8, 4);
    if (masked_crc32c(std::string_view(bytes.data() + at, 8)) != length_crc) {
      throw IoError(name + ": damaged TensorBoard record at byte " + std::to_string(at) + " (length checksum)");
    }
    if (length > bytes.size() - at - 12 || bytes.size() - at - 12 - length < 4) {
      events.truncated = true;
      return;
    }
    const std::string_view data(bytes.data() + at + 12, length);
    uint32_t data_crc = 0;
    std::memcpy(&data_crc, bytes.data() + at + 12 + length, 4);
    if (masked_crc32c(data) != data_crc) {
      throw IoError(name + ": damaged TensorBoard record at byte " + std::to_string(at) + " (data checksum)");
    }
    read_event(data, events);
    ++events.records;
    at += 12 + length + 4;
  }
}

RunEvents read_run_events(const fs::path& dir) {
  RunEvents events;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir.string() + ": not a run directory");
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) events.files.push_back(entry.path());
  }
  if (events.files.empty()) throw IoError(dir.string() + ": no TensorBoard event files (events.out.tfevents.*)");
  // Named events.out.tfevents.<start seconds>.<host>.<pid>: by start time, then name.
  auto started = [](const fs::path& p) {
    const std::string rest = p.filename().string().substr(std::strlen("events.out.tfevents."));
    return std::strtoll(rest.c_str(), nullptr, 10);
  };
  std::sort(events.files.begin(), events.files.end(), [&](const fs::path& a, const fs::path& b) {
    return std::make_pair(started(a), a.filename().string()) < std::make_pair(started(b), b.filename().string());
  });
  for (const fs::path& file : events.files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) throw IoError(file.string() + ": cannot read");
    read_event_records(content.str(), file.string(), events);
  }
  for (auto& [tag, points] : events.scalars) order_by_step(points);
  return events;
}

}  // namespace wn
