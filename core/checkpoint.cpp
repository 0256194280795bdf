#include "core/checkpoint.h"

#include <torch/serialize.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>

#include "core/atomic_file.h"
#include "core/crc32c.h"
#include "core/errors.h"
#include "core/zip_archive.h"

namespace wn {

namespace fs = std::filesystem;

namespace {

constexpr const char* kChecksums = "checksums";

uint32_t tensor_checksum(const at::Tensor& tensor) {
  const at::Tensor bytes = tensor.detach().cpu().contiguous();
  return crc32c(std::string_view(static_cast<const char*>(bytes.data_ptr()), bytes.nbytes()));
}

// Calls visit("<entry>/<name>", tensor) for every tensor of the checkpoint, at the top level
// and one dict deep (model, ema, optimizer, carried_state), in the dict's order.
template <class Visit>
void for_each_tensor(const c10::impl::GenericDict& dict, Visit&& visit) {
  for (const auto& entry : dict) {
    const std::string& key = entry.key().toStringRef();
    if (key == kChecksums) continue;
    if (entry.value().isTensor()) visit(key, entry.value().toTensor());
    if (!entry.value().isGenericDict()) continue;
    for (const auto& inner : entry.value().toGenericDict()) {
      if (inner.value().isTensor()) visit(key + "/" + inner.key().toStringRef(), inner.value().toTensor());
    }
  }
}

void verify_checksums(const c10::impl::GenericDict& dict, const fs::path& path) {
  if (!dict.contains(kChecksums)) return;  // written before checksums were
  const c10::IValue sums = dict.at(kChecksums);
  if (!sums.isGenericDict()) throw IoError(path.string() + ": its checksums entry is not a dict");
  const c10::impl::GenericDict expected = sums.toGenericDict();
  std::size_t checked = 0;
  for_each_tensor(dict, [&](const std::string& name, const at::Tensor& tensor) {
    if (!expected.contains(name) || !expected.at(name).isInt()) throw IoError(path.string() + ": no checksum for '" + name + "'");
    if (static_cast<uint32_t>(expected.at(name).toInt()) != tensor_checksum(tensor)) {
      throw IoError(path.string() + ": '" + name + "' does not match its checksum (the file is damaged)");
    }
    ++checked;
  });
  if (checked != expected.size()) throw IoError(path.string() + ": tensors are missing (the file is damaged)");
}

}  // namespace

void save_checkpoint_file(const fs::path& path, const c10::impl::GenericDict& dict) {
  c10::impl::GenericDict sums(c10::StringType::get(), c10::IntType::get());
  for_each_tensor(dict, [&](const std::string& name, const at::Tensor& tensor) {
    sums.insert(name, static_cast<int64_t>(tensor_checksum(tensor)));
  });
  c10::impl::GenericDict with_sums = dict.copy();
  with_sums.insert_or_assign(kChecksums, sums);
  const std::vector<char> bytes = torch::pickle_save(with_sums);
  write_file_atomically(path, std::string_view(bytes.data(), bytes.size()));
}

c10::impl::GenericDict load_checkpoint_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot open checkpoint");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // LibTorch's reader neither checks the records' CRC-32s nor survives every damaged pickle, so
  // the archive is checked first (core/zip_archive.h).
  const std::vector<ZipRecord> records = check_stored_zip(std::string_view(bytes.data(), bytes.size()), path.string());
  const bool has_pickle = std::any_of(records.begin(), records.end(), [](const ZipRecord& r) {
    return r.name.size() >= 9 && r.name.compare(r.name.size() - 9, 9, "/data.pkl") == 0;
  });
  if (!has_pickle) throw IoError(path.string() + ": not a checkpoint (a zip archive without data.pkl)");
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    throw IoError(path.string() + ": not a readable checkpoint (truncated or foreign file)");
  }
  if (!value.isGenericDict()) throw IoError(path.string() + ": checkpoint is not a dict");
  verify_checksums(value.toGenericDict(), path);
  return value.toGenericDict();
}

c10::impl::GenericDict tensors_to_dict(const std::vector<std::pair<std::string, at::Tensor>>& named) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  for (const auto& [name, tensor] : named) dict.insert(name, tensor.detach().cpu().clone());
  return dict;
}

fs::path CheckpointDirectory::path_for(int64_t step) const {
  char name[64];
  std::snprintf(name, sizeof name, "checkpoint_%09lld.pt", static_cast<long long>(step));
  return dir_ / name;
}

std::vector<fs::path> CheckpointDirectory::list() const {
  static const std::regex pattern("checkpoint_[0-9]{9}\\.pt");
  std::vector<fs::path> found;
  if (!fs::is_directory(dir_)) return found;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (std::regex_match(entry.path().filename().string(), pattern)) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());  // zero-padded steps sort by name
  return found;
}

std::optional<fs::path> CheckpointDirectory::latest() const {
  const auto all = list();
  if (all.empty()) return std::nullopt;
  return all.back();
}

void CheckpointDirectory::prune(int keep) const {
  const auto all = list();
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep) < all.size(); ++i) fs::remove(all[i]);
}

int CheckpointDirectory::remove_stale_temporaries() const {
  static const std::regex pattern("checkpoint_[0-9]{9}\\.pt\\.tmp\\..*");  // AtomicFile's temporary names
  int removed = 0;
  if (!fs::is_directory(dir_)) return removed;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (std::regex_match(entry.path().filename().string(), pattern) && fs::remove(entry.path())) ++removed;
  }
  return removed;
}

}  // namespace wn
