#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "core/errors.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

void fsync_path(const fs::path& path, int flags, const fs::path& reported) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    throw IoError(reported.string() + ": cannot open for fsync: " + std::strerror(errno));
  }
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  // Some file systems cannot fsync a directory (EINVAL); the rename is still atomic there.
  if (rc != 0 && !(saved == EINVAL && (flags & O_DIRECTORY))) {
    throw IoError(reported.string() + ": fsync failed: " + std::strerror(saved));
  }
}

}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  temp_ = target_;
  temp_ += unique_suffix();
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove(temp_, ignored);
  }
}

void AtomicFile::commit() {
  if (committed_) return;
  if (!fs::exists(temp_)) throw IoError(target_.string() + ": nothing was written");
  fsync_path(temp_, O_RDONLY, target_);
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) throw IoError(target_.string() + ": cannot rename into place: " + ec.message());
  committed_ = true;
  const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  fsync_path(dir, O_RDONLY | O_DIRECTORY, dir);
}

void write_file_atomically(const fs::path& target,
                           const std::function<void(std::ostream&)>& write) {
  AtomicFile file(target);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    if (!out) {
      throw IoError(target.string() + ": cannot create file: " + std::strerror(errno));
    }
    write(out);
    out.flush();
    if (!out) throw IoError(target.string() + ": write failed: " + std::strerror(errno));
  }
  file.commit();
}

void write_file_atomically(const fs::path& target, std::string_view contents) {
  write_file_atomically(target, [&](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

}  // namespace wn
