#pragma once
// NumPy .npy files of float32 arrays: the exchange format for mel spectrograms with Python
// front ends (Tacotron 2 exports) and for golden test data.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace wn {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;  // C order
};

// Reads float32 or float64 (converted), little-endian, C or Fortran order (converted to C).
// Throws IoError naming the file on anything else.
NpyArray read_npy(const std::filesystem::path& path);
// The same from a file's bytes in memory; `name` stands for the file in messages.
NpyArray parse_npy(std::string_view bytes, const std::string& name);

// Writes a float32 C-order array atomically.
void write_npy(const std::filesystem::path& path, const std::vector<float>& data,
               const std::vector<int64_t>& shape);

}  // namespace wn
