#include "dataio/npy.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <fstream>
#include <numeric>
#include <regex>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[] = "\x93NUMPY";

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw IoError(path.string() + ": " + what);
}

std::string header_value(const std::string& header, const std::string& key) {
  const std::regex pattern("'" + key + "'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))");
  std::smatch match;
  if (!std::regex_search(header, match, pattern)) return "";
  return match[1].str();
}

// The extents of a shape like "(2, 3)"; an extent too large for int64 reads as the largest,
// which the size check that follows refuses.
std::vector<int64_t> parse_shape(const std::string& text) {
  std::vector<int64_t> shape;
  const std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it) {
    const std::string digits = it->str();
    int64_t extent = std::numeric_limits<int64_t>::max();
    std::from_chars(digits.data(), digits.data() + digits.size(), extent);
    shape.push_back(extent);
  }
  return shape;
}

// Fortran order to C order for any rank: index mapping through strides.
std::vector<float> fortran_to_c(const std::vector<float>& in, const std::vector<int64_t>& shape) {
  const std::size_t rank = shape.size();
  std::vector<int64_t> c_stride(rank, 1), f_stride(rank, 1);
  for (std::size_t d = rank; d-- > 1;) c_stride[d - 1] = c_stride[d] * shape[d];
  for (std::size_t d = 1; d < rank; ++d) f_stride[d] = f_stride[d - 1] * shape[d - 1];
  std::vector<float> out(in.size());
  for (std::size_t c = 0; c < in.size(); ++c) {
    int64_t rest = static_cast<int64_t>(c), f = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      f += (rest / c_stride[d]) * f_stride[d];
      rest %= c_stride[d];
    }
    out[c] = in[static_cast<std::size_t>(f)];
  }
  return out;
}

// The header's fields, checked against the file before anything is allocated.
struct NpyLayout {
  std::vector<int64_t> shape;
  int64_t count = 0;      // values
  int item_bytes = 0;     // 4 (float32) or 8 (float64)
  bool fortran = false;
};

NpyLayout parse_header(const fs::path& path, const std::string& header, uint64_t data_bytes) {
  NpyLayout layout;
  const std::string descr = header_value(header, "descr");
  if (descr.empty()) fail(path, "header has no 'descr' (dtype)");
  if (descr == "'<f4'") {
    layout.item_bytes = 4;
  } else if (descr == "'<f8'") {
    layout.item_bytes = 8;
  } else {
    fail(path, "dtype " + descr + " is not supported; save as float32 ('<f4')");
  }
  const std::string shape_text = header_value(header, "shape");
  if (shape_text.empty()) fail(path, "header has no 'shape'");
  layout.fortran = header_value(header, "fortran_order") == "True";
  layout.count = 1;
  const int64_t most = static_cast<int64_t>(data_bytes / layout.item_bytes);
  for (const int64_t extent : parse_shape(shape_text)) {
    // Checked as it grows: a shape whose product exceeds what the file holds is refused before
    // it can overflow or ask for a huge allocation.
    if (extent > 0 && layout.count > most / extent) {
      fail(path, "shape " + shape_text + " needs more data than the file's " + std::to_string(data_bytes) + " bytes");
    }
    layout.count *= extent;
    layout.shape.push_back(extent);
  }
  if (static_cast<uint64_t>(layout.count) * layout.item_bytes > data_bytes) {
    fail(path, "truncated data: expected " + std::to_string(layout.count) + " values");
  }
  return layout;
}

}  // namespace

NpyArray read_npy(const fs::path& path) {
  std::error_code size_error;
  const uint64_t file_bytes = fs::file_size(path, size_error);
  std::ifstream in(path, std::ios::binary);
  if (!in || size_error) fail(path, "cannot open");
  char magic[6];
  uint8_t version[2];
  in.read(magic, 6);
  in.read(reinterpret_cast<char*>(version), 2);
  if (!in || std::memcmp(magic, kMagic, 6) != 0) fail(path, "not a .npy file");
  if (version[0] < 1 || version[0] > 3) fail(path, ".npy format version " + std::to_string(version[0]) + " is not supported");
  uint32_t header_len = 0;
  if (version[0] == 1) {
    uint8_t len[2];
    in.read(reinterpret_cast<char*>(len), 2);
    header_len = len[0] | (len[1] << 8);
  } else {
    uint8_t len[4];
    in.read(reinterpret_cast<char*>(len), 4);
    header_len = len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<uint32_t>(len[3]) << 24);
  }
  const uint64_t preamble = version[0] == 1 ? 10 : 12;
  if (!in || preamble + header_len > file_bytes) fail(path, "truncated header");
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) fail(path, "truncated header");

  const NpyLayout layout = parse_header(path, header, file_bytes - preamble - header_len);
  NpyArray array;
  array.shape = layout.shape;
  if (layout.item_bytes == 4) {
    array.data.resize(static_cast<std::size_t>(layout.count));
    in.read(reinterpret_cast<char*>(array.data.data()), layout.count * 4);
  } else {
    std::vector<double> wide(static_cast<std::size_t>(layout.count));
    in.read(reinterpret_cast<char*>(wide.data()), layout.count * 8);
    array.data.assign(wide.begin(), wide.end());
  }
  if (!in) fail(path, "truncated data: expected " + std::to_string(layout.count) + " values");
  for (std::size_t i = 0; i < array.data.size(); ++i) {
    if (!std::isfinite(array.data[i])) fail(path, "value " + std::to_string(i) + " is not a finite number");
  }
  if (layout.fortran && array.shape.size() > 1) array.data = fortran_to_c(array.data, array.shape);
  return array;
}

void write_npy(const fs::path& path, const std::vector<float>& data, const std::vector<int64_t>& shape) {
  const int64_t count =
      std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
  if (count != static_cast<int64_t>(data.size())) {
    fail(path, "shape does not match the number of values");
  }
  std::ostringstream shape_text;
  shape_text << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) shape_text << shape[i] << (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  shape_text << ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_text.str() + ", }";
  // Pad so that magic + version + length + header is a multiple of 64, ending in a newline.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(kMagic, 6);
    out.put(1);
    out.put(0);
    out.put(static_cast<char>(header.size() & 0xff));
    out.put(static_cast<char>(header.size() >> 8));
    out << header;
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * 4));
  });
}

}  // namespace wn
