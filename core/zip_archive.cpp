#include "core/zip_archive.h"

#include <zlib.h>

#include <set>

#include "core/errors.h"

namespace wn {
namespace {

// Record signatures of the zip format (APPNOTE.TXT), little-endian.
constexpr uint64_t kLocalHeader = 0x04034b50;
constexpr uint64_t kCentralHeader = 0x02014b50;
constexpr uint64_t kEndOfDirectory = 0x06054b50;
constexpr uint64_t kZip64End = 0x06064b50;
constexpr uint64_t kZip64Locator = 0x07064b50;
constexpr uint64_t kZip64ExtraId = 0x0001;
constexpr uint64_t kEndSize = 22, kCentralSize = 46, kLocalSize = 30, kLocatorSize = 20;
constexpr uint64_t kMaxComment = 65535;

// Little-endian reads, each checked against the end of the archive first.
class Bytes {
 public:
  Bytes(std::string_view data, const std::string& what) : data_(data), what_(what) {}

  [[noreturn]] void fail(const std::string& problem) const { throw IoError(what_ + ": " + problem); }

  uint64_t size() const { return data_.size(); }

  void need(uint64_t at, uint64_t count, const char* part) const {
    if (at > data_.size() || count > data_.size() - at) fail(std::string("truncated (") + part + " runs past the end)");
  }

  uint64_t le(uint64_t at, int width, const char* part) const {
    need(at, static_cast<uint64_t>(width), part);
    uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) value = value << 8 | static_cast<uint8_t>(data_[at + static_cast<uint64_t>(i)]);
    return value;
  }

  std::string_view view(uint64_t at, uint64_t count, const char* part) const {
    need(at, count, part);
    return data_.substr(at, count);
  }

 private:
  std::string_view data_;
  const std::string& what_;
};

struct Directory {
  uint64_t entries = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
  uint64_t end = 0;  // where the records after the directory begin
};

Directory find_directory(const Bytes& bytes) {
  if (bytes.size() < kEndSize) bytes.fail("not a zip archive (too short)");
  // The end record is the last thing in the file, followed only by its comment.
  const uint64_t last = bytes.size() - kEndSize;
  const uint64_t first = last > kMaxComment ? last - kMaxComment : 0;
  uint64_t end = last + 1;
  for (uint64_t at = last + 1; at-- > first;) {
    if (bytes.le(at, 4, "end record") == kEndOfDirectory) {
      end = at;
      break;
    }
  }
  if (end > last) bytes.fail("not a zip archive (no end of central directory)");
  if (bytes.le(end + 4, 2, "end record") != 0 || bytes.le(end + 6, 2, "end record") != 0) {
    bytes.fail("multi-volume zip archives are not supported");
  }
  Directory dir{bytes.le(end + 10, 2, "end record"), bytes.le(end + 12, 4, "end record"),
                bytes.le(end + 16, 4, "end record"), end};
  // LibTorch writes zip64: a locator just before the end record points at the 64-bit copy.
  if (end >= kLocatorSize && bytes.le(end - kLocatorSize, 4, "zip64 locator") == kZip64Locator) {
    const uint64_t at = bytes.le(end - kLocatorSize + 8, 8, "zip64 locator");
    if (at >= end - kLocatorSize || bytes.le(at, 4, "zip64 end record") != kZip64End) {
      bytes.fail("the zip64 end record is missing");
    }
    dir = Directory{bytes.le(at + 32, 8, "zip64 end record"), bytes.le(at + 40, 8, "zip64 end record"),
                    bytes.le(at + 48, 8, "zip64 end record"), at};
  }
  if (dir.offset > dir.end || dir.size > dir.end - dir.offset) {
    bytes.fail("the central directory lies outside the archive");
  }
  if (dir.entries > dir.size / kCentralSize) bytes.fail("the central directory is shorter than its entry count");
  return dir;
}

// A 32-bit field at its maximum means "see the zip64 extra field", which holds the 64-bit
// values of exactly those fields, in this order.
struct EntrySizes {
  uint64_t uncompressed, compressed, local_offset;
};

EntrySizes widen_from_zip64_extra(const Bytes& bytes, uint64_t extra, uint64_t extra_size, EntrySizes sizes,
                                  const std::string& name) {
  constexpr uint64_t kMax32 = 0xffffffff;
  const bool any = sizes.uncompressed == kMax32 || sizes.compressed == kMax32 || sizes.local_offset == kMax32;
  if (!any) return sizes;
  for (uint64_t at = extra; at + 4 <= extra + extra_size;) {
    const uint64_t id = bytes.le(at, 2, "extra field");
    const uint64_t length = bytes.le(at + 2, 2, "extra field");
    if (at + 4 + length > extra + extra_size) break;
    if (id == kZip64ExtraId) {
      uint64_t field = at + 4;
      for (uint64_t* value : {&sizes.uncompressed, &sizes.compressed, &sizes.local_offset}) {
        if (*value != kMax32) continue;
        if (field + 8 > at + 4 + length) bytes.fail("record '" + name + "' has a short zip64 field");
        *value = bytes.le(field, 8, "zip64 field");
        field += 8;
      }
      return sizes;
    }
    at += 4 + length;
  }
  bytes.fail("record '" + name + "' needs a zip64 field it does not have");
}

uint32_t crc32_of(std::string_view data) {
  return static_cast<uint32_t>(
      crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()), data.size()));
}

}  // namespace

std::vector<ZipRecord> check_stored_zip(std::string_view archive, const std::string& what) {
  const Bytes bytes(archive, what);
  const Directory dir = find_directory(bytes);
  std::vector<ZipRecord> records;
  records.reserve(dir.entries);
  std::set<std::string> names;
  uint64_t at = dir.offset;
  for (uint64_t i = 0; i < dir.entries; ++i) {
    if (bytes.le(at, 4, "central directory") != kCentralHeader) bytes.fail("the central directory is damaged");
    const uint64_t flags = bytes.le(at + 8, 2, "central directory");
    const uint64_t method = bytes.le(at + 10, 2, "central directory");
    const auto crc = static_cast<uint32_t>(bytes.le(at + 16, 4, "central directory"));
    const uint64_t name_size = bytes.le(at + 28, 2, "central directory");
    const uint64_t extra_size = bytes.le(at + 30, 2, "central directory");
    const uint64_t comment_size = bytes.le(at + 32, 2, "central directory");
    ZipRecord record;
    record.name = std::string(bytes.view(at + kCentralSize, name_size, "record name"));
    const EntrySizes sizes = widen_from_zip64_extra(
        bytes, at + kCentralSize + name_size, extra_size,
        EntrySizes{bytes.le(at + 24, 4, "central directory"), bytes.le(at + 20, 4, "central directory"),
                   bytes.le(at + 42, 4, "central directory")},
        record.name);
    at += kCentralSize + name_size + extra_size + comment_size;
    if (at > dir.offset + dir.size) bytes.fail("the central directory is longer than it says");

    if (record.name.empty() || !names.insert(record.name).second) {
      bytes.fail("record names are empty or repeated");
    }
    if (flags & 1) bytes.fail("record '" + record.name + "' is encrypted");
    if (method != 0 || sizes.compressed != sizes.uncompressed) {
      bytes.fail("record '" + record.name + "' is compressed (LibTorch stores records uncompressed)");
    }
    const uint64_t local = sizes.local_offset;
    if (local >= dir.offset || bytes.le(local, 4, "local header") != kLocalHeader) {
      bytes.fail("record '" + record.name + "' has no local header where the directory says");
    }
    const uint64_t local_name = bytes.le(local + 26, 2, "local header");
    const uint64_t local_extra = bytes.le(local + 28, 2, "local header");
    if (bytes.view(local + kLocalSize, local_name, "local header") != record.name) {
      bytes.fail("record '" + record.name + "' has another name in its local header");
    }
    record.data_offset = local + kLocalSize + local_name + local_extra;
    record.size = sizes.uncompressed;
    if (record.data_offset > dir.offset || record.size > dir.offset - record.data_offset) {
      bytes.fail("record '" + record.name + "' runs into the central directory (truncated or damaged)");
    }
    if (crc32_of(bytes.view(record.data_offset, record.size, "record")) != crc) {
      bytes.fail("record '" + record.name + "' does not match its CRC-32 (the file is damaged)");
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace wn
