#include "core/checkpoint.h"

#include <torch/serialize.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn {

namespace fs = std::filesystem;

void save_checkpoint_file(const fs::path& path, const c10::IValue& dict) {
  const std::vector<char> bytes = torch::pickle_save(dict);
  write_file_atomically(path, std::string_view(bytes.data(), bytes.size()));
}

c10::impl::GenericDict load_checkpoint_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot open checkpoint");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    throw IoError(path.string() + ": not a readable checkpoint (truncated or foreign file)");
  }
  if (!value.isGenericDict()) throw IoError(path.string() + ": checkpoint is not a dict");
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

}  // namespace wn
