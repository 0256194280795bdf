// Event files are read back by an independent minimal TFRecord + protobuf reader: framing,
// both CRCs, and the Event/Summary fields TensorBoard uses.

#include "core/tensorboard.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>

#include "tests/test_support.h"

namespace wn {
namespace {

// Protobuf fields of one message: field number -> raw values (varints as numbers, fixed32/64
// and length-delimited as bytes).
struct Fields {
  std::multimap<int, uint64_t> varints;
  std::multimap<int, std::string> bytes;
};

Fields parse_message(const std::string& data) {
  Fields f;
  std::size_t i = 0;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = static_cast<unsigned char>(data.at(i++));
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (i < data.size()) {
    const uint64_t key = varint();
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (wire == 0) {
      f.varints.emplace(field, varint());
    } else if (wire == 1 || wire == 5) {
      const std::size_t n = wire == 1 ? 8 : 4;
      f.bytes.emplace(field, data.substr(i, n));
      i += n;
    } else if (wire == 2) {
      const auto n = static_cast<std::size_t>(varint());
      f.bytes.emplace(field, data.substr(i, n));
      i += n;
    } else {
      throw std::runtime_error("unexpected wire type");
    }
  }
  return f;
}

std::vector<std::string> read_records(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> records;
  while (true) {
    char header[12];
    if (!in.read(header, 12)) break;
    uint64_t length;
    uint32_t length_crc;
    std::memcpy(&length, header, 8);
    std::memcpy(&length_crc, header + 8, 4);
    EXPECT_EQ(length_crc, masked_crc32c(std::string_view(header, 8)));
    std::string data(length, '\0');
    in.read(data.data(), static_cast<std::streamsize>(length));
    uint32_t data_crc;
    in.read(reinterpret_cast<char*>(&data_crc), 4);
    EXPECT_EQ(data_crc, masked_crc32c(data));
    records.push_back(data);
  }
  return records;
}

TEST(Crc32c, KnownVectors) {
  // From RFC 3720 (iSCSI) appendix B.4.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  EXPECT_EQ(crc32c("123456789"), 0xe3069283u);
}

TEST(EventWriter, ScalarsAndAudioReadBack) {
  test::TempDir dir;
  std::filesystem::path path;
  {
    EventWriter writer(dir.path());
    path = writer.path();
    writer.add_scalar("train/loss", 2.5f, 10);
    writer.add_audio("valid/generated", "RIFFfakewav", 22050.0f, 3, 20);
  }
  EXPECT_EQ(path.filename().string().rfind("events.out.tfevents.", 0), 0u);
  const auto records = read_records(path);
  ASSERT_EQ(records.size(), 3u);

  const Fields version = parse_message(records[0]);
  EXPECT_EQ(version.bytes.find(3)->second, "brain.Event:2");

  const Fields scalar_event = parse_message(records[1]);
  EXPECT_EQ(scalar_event.varints.find(2)->second, 10u);  // step
  const Fields summary = parse_message(scalar_event.bytes.find(5)->second);
  const Fields value = parse_message(summary.bytes.find(1)->second);
  EXPECT_EQ(value.bytes.find(1)->second, "train/loss");
  float simple;
  std::memcpy(&simple, value.bytes.find(2)->second.data(), 4);
  EXPECT_EQ(simple, 2.5f);

  const Fields audio_event = parse_message(records[2]);
  EXPECT_EQ(audio_event.varints.find(2)->second, 20u);
  const Fields audio_value = parse_message(parse_message(audio_event.bytes.find(5)->second).bytes.find(1)->second);
  EXPECT_EQ(audio_value.bytes.find(1)->second, "valid/generated");
  const Fields audio = parse_message(audio_value.bytes.find(6)->second);
  float rate;
  std::memcpy(&rate, audio.bytes.find(1)->second.data(), 4);
  EXPECT_EQ(rate, 22050.0f);
  EXPECT_EQ(audio.varints.find(3)->second, 3u);
  EXPECT_EQ(audio.bytes.find(4)->second, "RIFFfakewav");
  EXPECT_EQ(audio.bytes.find(5)->second, "audio/wav");
}

}  // namespace
}  // namespace wn
