#pragma once
// Levelled, timestamped logging to stderr and optionally to files (a run's train.log).
// Usage: WN_LOG(info) << "loaded " << n << " shards";
// The sink list is the one piece of process-wide state: the program sets it up once in main.

#include <filesystem>
#include <sstream>
#include <string>

namespace wn {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

// Parses debug|info|warn|error|off; throws UserError otherwise.
LogLevel parse_log_level(const std::string& name);
void set_log_level(LogLevel level);
LogLevel log_level();

// Also append every message to this file (created if missing). Throws IoError on failure.
void add_log_file(const std::filesystem::path& path);
void remove_log_files();

// Writes one formatted line: "2026-11-21 20:40:01.123 INFO  message".
void write_log_line(LogLevel level, const std::string& message);

class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine() { write_log_line(level_, stream_.str()); }
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  template <class T>
  LogLine& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

}  // namespace wn

// A one-pass loop rather than an if/else, so `if (x) WN_LOG(info) << ...;` nests safely.
#define WN_LOG(level)                                                                        \
  for (bool wn_log_enabled = ::wn::LogLevel::level >= ::wn::log_level(); wn_log_enabled;    \
       wn_log_enabled = false)                                                               \
  ::wn::LogLine(::wn::LogLevel::level)
