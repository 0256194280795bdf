#include "dataio/npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "core/errors.h"
#include "tests/test_support.h"

namespace wn {
namespace {

// A .npy written byte by byte, as NumPy would, with any header.
void write_raw_npy(const std::filesystem::path& path, const std::string& header, const void* data,
                   std::size_t bytes) {
  std::string padded = header;
  while ((10 + padded.size() + 1) % 64 != 0) padded += ' ';
  padded += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  out.put(static_cast<char>(padded.size() & 0xff));
  out.put(static_cast<char>(padded.size() >> 8));
  out << padded;
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

TEST(Npy, RoundTrip) {
  test::TempDir dir;
  const std::vector<float> values = {1.5f, -2.0f, 3.25f, 0.0f, 5.0f, 6.0f};
  write_npy(dir / "a.npy", values, {2, 3});
  const NpyArray a = read_npy(dir / "a.npy");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data, values);
  std::ifstream in(dir / "a.npy", std::ios::binary);
  std::string head(128, '\0');
  in.read(head.data(), 128);
  EXPECT_NE(head.find("'shape': (2,3)"), std::string::npos);
}

TEST(Npy, OneDimensionalShapeHasTrailingComma) {
  test::TempDir dir;
  write_npy(dir / "a.npy", {1, 2, 3}, {3});
  EXPECT_EQ(read_npy(dir / "a.npy").shape, (std::vector<int64_t>{3}));
}

TEST(Npy, ReadsFloat64AndFortranOrder) {
  test::TempDir dir;
  // Column-major 2x3 of float64: rows [1 2 3], [4 5 6].
  const double fortran[] = {1, 4, 2, 5, 3, 6};
  write_raw_npy(dir / "f.npy", "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", fortran,
                sizeof fortran);
  const NpyArray a = read_npy(dir / "f.npy");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, RejectsOtherDtypesAndTruncation) {
  test::TempDir dir;
  const int32_t ints[] = {1, 2};
  write_raw_npy(dir / "i.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", ints, 8);
  EXPECT_THROW(read_npy(dir / "i.npy"), IoError);
  const float one = 1.0f;
  write_raw_npy(dir / "t.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", &one, 4);
  EXPECT_THROW(read_npy(dir / "t.npy"), IoError);
  test::write_text(dir / "x.npy", "hello");
  EXPECT_THROW(read_npy(dir / "x.npy"), IoError);
}

// Damaged headers and values: an IoError naming the file, before any allocation their sizes
// would ask for.
TEST(Npy, RefusesDamageBeforeAllocating) {
  test::TempDir dir;
  const float two[] = {1.0f, 2.0f};
  auto message = [](const std::filesystem::path& path) -> std::string {
    try {
      read_npy(path);
    } catch (const IoError& e) {
      return e.what();
    }
    return "no error";
  };
  write_raw_npy(dir / "huge.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000, 4000000000), }", two, 8);
  EXPECT_NE(message(dir / "huge.npy").find("needs more data than the file's 8 bytes"), std::string::npos);
  write_raw_npy(dir / "overflow.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", two, 8);
  EXPECT_NE(message(dir / "overflow.npy").find("overflow.npy: shape"), std::string::npos);
  write_raw_npy(dir / "noshape.npy", "{'descr': '<f4', 'fortran_order': False, }", two, 8);
  EXPECT_NE(message(dir / "noshape.npy").find("no 'shape'"), std::string::npos);
  const float bad[] = {1.0f, std::nanf("")};
  write_raw_npy(dir / "nan.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", bad, 8);
  EXPECT_NE(message(dir / "nan.npy").find("value 1 is not a finite number"), std::string::npos);
  // Version 2 with a 4 GB header length in a 20-byte file.
  test::write_text(dir / "v2.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff{'descr'", 20));
  EXPECT_NE(message(dir / "v2.npy").find("truncated header"), std::string::npos);
  test::write_text(dir / "v9.npy", std::string("\x93NUMPY\x09\x00\x10\x00", 10));
  EXPECT_NE(message(dir / "v9.npy").find("format version 9"), std::string::npos);
}

TEST(Npy, ParsesFromMemoryAndQuotesHeadersOnOneLine) {
  test::TempDir dir;
  write_npy(dir / "m.npy", {1, 2, 3, 4, 5, 6}, {2, 3});
  const NpyArray array = parse_npy(test::read_text(dir / "m.npy"), "m.npy");
  EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(array.data, (std::vector<float>{1, 2, 3, 4, 5, 6}));

  std::string bytes = test::read_text(dir / "m.npy");
  const std::size_t descr = bytes.find("<f4");
  bytes.replace(descr, 3, "\n\x01x");  // a dtype of control characters
  try {
    parse_npy(bytes, "m.npy");
    FAIL() << "an unknown dtype must not parse";
  } catch (const IoError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("m.npy: dtype"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
  }
}

}  // namespace
}  // namespace wn
