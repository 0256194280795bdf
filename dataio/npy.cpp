#include "dataio/npy.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <fstream>
#include <iterator>
#include <numeric>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[] = "\x93NUMPY";

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw IoError(name + ": " + what);
}

// The value of 'key' in the header's dict literal: a quoted string, a tuple, True or False
// (a plain scan rather than std::regex, whose recursion a long damaged header could exhaust).
std::string header_value(const std::string& header, const std::string& key) {
  const std::size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) return "";
  std::size_t i = at + key.size() + 2;
  const auto skip_spaces = [&] { while (i < header.size() && std::isspace(static_cast<unsigned char>(header[i]))) ++i; };
  skip_spaces();
  if (i >= header.size() || header[i] != ':') return "";
  ++i;
  skip_spaces();
  if (i >= header.size()) return "";
  const char open = header[i];
  const char close = open == '\'' ? '\'' : open == '(' ? ')' : '\0';
  if (close != '\0') {
    const std::size_t end = header.find(close, i + 1);
    return end == std::string::npos ? "" : header.substr(i, end + 1 - i);
  }
  for (const char* word : {"True", "False"}) {
    if (header.compare(i, std::strlen(word), word) == 0) return word;
  }
  return "";
}

// The extents of a shape like "(2, 3)"; an extent too large for int64 reads as the largest,
// which the size check that follows refuses.
std::vector<int64_t> parse_shape(const std::string& text) {
  std::vector<int64_t> shape;
  for (std::size_t i = 0; i < text.size();) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    int64_t extent = std::numeric_limits<int64_t>::max();
    std::from_chars(text.data() + i, text.data() + end, extent);
    shape.push_back(extent);
    i = end;
  }
  return shape;
}

// Header text quoted in a message: printable characters only, and not too many of them.
std::string quoted(const std::string& text) {
  std::string out;
  for (const char c : text.substr(0, 40)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return text.size() > 40 ? out + "..." : out;
}

// Fortran order to C order for any rank: index mapping through strides.
std::vector<float> fortran_to_c(const std::vector<float>& in, const std::vector<int64_t>& shape) {
  // With no values the other extents are unbounded and their strides could overflow.
  if (in.empty()) return {};
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

NpyLayout parse_header(const std::string& path, const std::string& header, uint64_t data_bytes) {
  NpyLayout layout;
  const std::string descr = header_value(header, "descr");
  if (descr.empty()) fail(path, "header has no 'descr' (dtype)");
  if (descr == "'<f4'") {
    layout.item_bytes = 4;
  } else if (descr == "'<f8'") {
    layout.item_bytes = 8;
  } else {
    fail(path, "dtype " + quoted(descr) + " is not supported; save as float32 ('<f4')");
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
      fail(path, "shape " + quoted(shape_text) + " needs more data than the file's " + std::to_string(data_bytes) + " bytes");
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
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), "cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path.string(), "read error");
  return parse_npy(bytes, path.string());
}

NpyArray parse_npy(std::string_view bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != std::string_view(kMagic, 6)) fail(name, "not a .npy file");
  const auto byte = [&](std::size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])); };
  const uint32_t version = byte(6);
  if (version < 1 || version > 3) fail(name, ".npy format version " + std::to_string(version) + " is not supported");
  const uint64_t preamble = version == 1 ? 10 : 12;
  if (bytes.size() < preamble) fail(name, "truncated header");
  const uint64_t header_len = version == 1 ? byte(8) | byte(9) << 8 : byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
  if (preamble + header_len > bytes.size()) fail(name, "truncated header");
  const std::string header(bytes.substr(preamble, header_len));

  const uint64_t data_start = preamble + header_len;
  const NpyLayout layout = parse_header(name, header, bytes.size() - data_start);
  NpyArray array;
  array.shape = layout.shape;
  array.data.resize(static_cast<std::size_t>(layout.count));
  const char* data = bytes.data() + data_start;
  if (layout.item_bytes == 4 && layout.count > 0) {  // an empty vector's data() may be null
    std::memcpy(array.data.data(), data, static_cast<std::size_t>(layout.count) * 4);
  } else if (layout.item_bytes == 8) {
    for (std::size_t i = 0; i < array.data.size(); ++i) {
      double wide;
      std::memcpy(&wide, data + 8 * i, 8);
      // Checked before narrowing: a float64 beyond float32's range has no float32 value.
      if (!(std::abs(wide) <= std::numeric_limits<float>::max())) {
        fail(name, "value " + std::to_string(i) + " is not a finite float32 number");
      }
      array.data[i] = static_cast<float>(wide);
    }
  }
  for (std::size_t i = 0; i < array.data.size(); ++i) {
    if (!std::isfinite(array.data[i])) fail(name, "value " + std::to_string(i) + " is not a finite number");
  }
  if (layout.fortran && array.shape.size() > 1) array.data = fortran_to_c(array.data, array.shape);
  return array;
}

void write_npy(const fs::path& path, const std::vector<float>& data, const std::vector<int64_t>& shape) {
  const int64_t count =
      std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
  if (count != static_cast<int64_t>(data.size())) {
    fail(path.string(), "shape does not match the number of values");
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
