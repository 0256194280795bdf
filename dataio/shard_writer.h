#pragma once
// Writes one HDF5 shard (layout in shard_format.h), atomically: complete or absent.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "dataio/shard_format.h"

namespace wn {

// Chunk sizes chosen so a training crop of up to `audio_chunk` samples touches at most two
// chunks of `audio` and of `mel`.
struct ShardChunking {
  int64_t audio_chunk = 65536;
};

// The audio chunk for crops of `crop_samples` (plus conditioning context): the next power of
// two at or above it, at least 64 Ki samples.
ShardChunking chunking_for_crops(int64_t crop_samples);

void write_shard(const std::filesystem::path& path, const ShardAttributes& attributes,
                 const std::vector<ShardUtterance>& utterances, const ShardChunking& chunking = {});

}  // namespace wn
