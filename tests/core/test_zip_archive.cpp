// The checks a checkpoint's zip container passes before LibTorch reads it.

#include <torch/serialize.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "core/errors.h"
#include "core/zip_archive.h"
#include "tests/test_support.h"

namespace wn {
namespace {

// An archive as LibTorch writes checkpoints: a dict with one tensor of known values.
std::string small_archive() {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("w", torch::arange(256, torch::kFloat32));
  dict.insert("step", 7);
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  return std::string(bytes.begin(), bytes.end());
}

const ZipRecord& record_ending(const std::vector<ZipRecord>& records, const std::string& suffix) {
  const auto it = std::find_if(records.begin(), records.end(), [&](const ZipRecord& r) {
    return r.name.size() >= suffix.size() && r.name.compare(r.name.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
  if (it == records.end()) throw std::runtime_error("no record ending in " + suffix);
  return *it;
}

std::string error_of(const std::string& archive) {
  return test::error_message<IoError>([&] { check_stored_zip(archive, "c.pt"); });
}

TEST(ZipArchive, ListsLibTorchRecordsWhereTheirBytesAre) {
  const std::string archive = small_archive();
  const std::vector<ZipRecord> records = check_stored_zip(archive, "c.pt");
  const ZipRecord& pickle = record_ending(records, "/data.pkl");
  EXPECT_GT(pickle.size, 0u);
  const ZipRecord& tensor = record_ending(records, "/data/0");
  ASSERT_EQ(tensor.size, 256u * 4);
  const at::Tensor expected = torch::arange(256, torch::kFloat32);
  EXPECT_EQ(std::memcmp(archive.data() + tensor.data_offset, expected.data_ptr(), tensor.size), 0);
}

TEST(ZipArchive, FlippedTensorByteFailsItsCrc) {
  std::string archive = small_archive();
  const ZipRecord tensor = record_ending(check_stored_zip(archive, "c.pt"), "/data/0");
  archive[tensor.data_offset + 100] ^= 0x10;
  EXPECT_NE(error_of(archive).find("c.pt: record '" + tensor.name + "' does not match its CRC-32"), std::string::npos)
      << error_of(archive);
}

TEST(ZipArchive, EveryTruncationIsAnIoError) {
  const std::string archive = small_archive();
  for (std::size_t length = 0; length < archive.size(); length += 7) {
    EXPECT_EQ(error_of(archive.substr(0, length)).rfind("c.pt: ", 0), 0u) << "truncated to " << length;
  }
}

// A byte flipped anywhere either leaves the archive valid (fields nobody reads, such as dates)
// or is an IoError; inside a record's bytes it is always an error.
TEST(ZipArchive, EveryFlippedByteIsCaughtOrHarmless) {
  const std::string archive = small_archive();
  const std::vector<ZipRecord> records = check_stored_zip(archive, "c.pt");
  for (std::size_t at = 0; at < archive.size(); ++at) {
    std::string damaged = archive;
    damaged[at] ^= 0x5a;
    const bool in_record = std::any_of(records.begin(), records.end(), [&](const ZipRecord& r) {
      return at >= r.data_offset && at < r.data_offset + r.size;
    });
    const std::string error = error_of(damaged);
    if (in_record) {
      EXPECT_NE(error.find("CRC-32"), std::string::npos) << "byte " << at << ": " << error;
    }
    EXPECT_EQ(error.find('\n'), std::string::npos) << "one line";
  }
}

TEST(ZipArchive, CompressedForeignAndEmptyFilesAreRefused) {
  EXPECT_NE(error_of("").find("not a zip archive"), std::string::npos);
  EXPECT_NE(error_of(std::string(1000, 'x')).find("not a zip archive"), std::string::npos);
  std::string archive = small_archive();
  const ZipRecord first = check_stored_zip(archive, "c.pt").front();
  // The method field of the first central-directory entry: deflate instead of stored.
  const std::size_t central = archive.find(std::string("PK\x01\x02", 4));
  ASSERT_NE(central, std::string::npos);
  archive[central + 10] = 8;
  EXPECT_NE(error_of(archive).find("record '" + first.name + "' is compressed"), std::string::npos) << error_of(archive);
}

}  // namespace
}  // namespace wn
