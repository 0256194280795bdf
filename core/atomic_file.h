#pragma once
// Files that appear complete or not at all: write to a temporary name in the same directory,
// fsync, then rename over the target. A crash or an exception midway leaves the old file intact.

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string_view>

namespace wn {

// For writers that need a path rather than a stream (HDF5, torch::pickle_save):
//   AtomicFile file(target); write_somehow(file.temp_path()); file.commit();
// If commit() is never reached the destructor deletes the temporary file.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& target_path() const { return target_; }
  // fsyncs the temporary file, renames it over the target and fsyncs the directory.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

// Streams `write` into a temporary file and commits it. Throws IoError naming the target if the
// stream fails; any exception from `write` propagates and leaves the target untouched.
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(std::ostream&)>& write);
void write_file_atomically(const std::filesystem::path& target, std::string_view contents);

}  // namespace wn
