#pragma once
// Checkpoint files: one pickled dict per file, written with torch::pickle_save so that Python's
// torch.load returns a plain dict, and written atomically. Every tensor's bytes are summed into a
// CRC-32C at save time (the dict's `checksums` entry, {"<entry>/<name>": int}) and verified at
// load, so a damaged byte is an error naming the file, not silently different weights. Plus the directory policy: files
// named checkpoint_<step>.pt, the latest one found by name, the oldest pruned.

#include <ATen/core/ivalue.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace wn {

void save_checkpoint_file(const std::filesystem::path& path, const c10::impl::GenericDict& dict);
// Throws IoError naming the file when it is missing, truncated, not a checkpoint, or a tensor
// does not match its checksum.
c10::impl::GenericDict load_checkpoint_file(const std::filesystem::path& path);

// Named tensors as a dict Python sees as {name: tensor} (tensors are detached copies on CPU).
c10::impl::GenericDict tensors_to_dict(const std::vector<std::pair<std::string, at::Tensor>>& named);

class CheckpointDirectory {
 public:
  explicit CheckpointDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path path_for(int64_t step) const;
  // Checkpoints present, oldest first.
  std::vector<std::filesystem::path> list() const;
  std::optional<std::filesystem::path> latest() const;
  // Deletes all but the newest `keep` checkpoints.
  void prune(int keep) const;
  // Deletes temporary files of checkpoint writes that a killed process left behind; returns how
  // many. Only for a directory no other process is writing to.
  int remove_stale_temporaries() const;

 private:
  std::filesystem::path dir_;
};

}  // namespace wn
