#pragma once
// CRC-32C (Castagnoli): TensorBoard's TFRecord framing and checkpoints' per-tensor checksums.

#include <cstdint>
#include <string_view>

namespace wn {

uint32_t crc32c(std::string_view data);
// TFRecord's masking of a CRC-32C.
uint32_t masked_crc32c(std::string_view data);

}  // namespace wn
