#include "dataio/npy.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wn
