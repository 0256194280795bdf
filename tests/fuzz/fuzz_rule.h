#pragma once
// The rule every harness checks: a reader of outside bytes either succeeds or throws a
// UserError (IoError, ConfigError) whose message is one line. Anything else, be it another
// exception, a crash or a sanitizer report, aborts, and libFuzzer keeps the input.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "core/errors.h"

namespace wn::fuzz {

template <class Read>
void expect_clean_outcome(Read&& read) {
  try {
    read();
  } catch (const UserError& e) {
    const std::string message = e.what();
    if (message.empty() || message.find('\n') != std::string::npos) {
      std::fprintf(stderr, "fuzz rule broken: error message is empty or not one line: %s\n", message.c_str());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz rule broken: not a UserError: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz rule broken: a non-standard exception\n");
    std::abort();
  }
}

// A directory of this process's own for harnesses whose reader takes a path (on /dev/shm when
// it exists, to spare the disk), emptied by the caller between inputs.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::filesystem::path d = base / ("wn_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] { std::error_code ignored; std::filesystem::remove_all(scratch_dir(), ignored); });
    return d;
  }();
  return dir;
}

inline void write_bytes(const std::filesystem::path& path, const char* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

}  // namespace wn::fuzz
