#pragma once
// The zip container of LibTorch's serialization (torch.save / torch::pickle_save), checked by us
// before LibTorch sees it. LibTorch's reader trusts the archive: it skips the records' CRC-32s and
// its unpickler can crash on damaged bytes. So every offset and size is bounds-checked against the
// file and every record's CRC-32 recomputed here, and only an archive that passes reaches it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wn {

struct ZipRecord {
  std::string name;
  uint64_t data_offset = 0;  // of the record's bytes in the archive
  uint64_t size = 0;
};

// The records of a zip archive of stored (uncompressed) entries, as LibTorch writes them, zip64
// included, in central-directory order. Throws IoError "<what>: <problem>" when the archive is
// truncated, malformed, compressed, or a record's bytes do not match their CRC-32.
std::vector<ZipRecord> check_stored_zip(std::string_view archive, const std::string& what);

}  // namespace wn
