#include "dataio/npy.h"

#include <cstring>
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

std::vector<int64_t> parse_shape(const std::string& text) {
  std::vector<int64_t> shape;
  const std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it) {
    shape.push_back(std::stoll(it->str()));
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

}  // namespace

NpyArray read_npy(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  char magic[6];
  uint8_t version[2];
  in.read(magic, 6);
  in.read(reinterpret_cast<char*>(version), 2);
  if (!in || std::memcmp(magic, kMagic, 6) != 0) fail(path, "not a .npy file");
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
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) fail(path, "truncated header");

  const std::string descr = header_value(header, "descr");
  const bool fortran = header_value(header, "fortran_order") == "True";
  NpyArray array;
  array.shape = parse_shape(header_value(header, "shape"));
  const int64_t count =
      std::accumulate(array.shape.begin(), array.shape.end(), int64_t{1}, std::multiplies<int64_t>());
  if (descr == "'<f4'") {
    array.data.resize(static_cast<std::size_t>(count));
    in.read(reinterpret_cast<char*>(array.data.data()), count * 4);
  } else if (descr == "'<f8'") {
    std::vector<double> wide(static_cast<std::size_t>(count));
    in.read(reinterpret_cast<char*>(wide.data()), count * 8);
    array.data.assign(wide.begin(), wide.end());
  } else {
    fail(path, "dtype " + descr + " is not supported; save as float32 ('<f4')");
  }
  if (!in) fail(path, "truncated data: expected " + std::to_string(count) + " values");
  if (fortran && array.shape.size() > 1) array.data = fortran_to_c(array.data, array.shape);
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
