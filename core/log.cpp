#include "core/log.h"

#include <chrono>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <mutex>
#include <vector>

#include "core/errors.h"

namespace wn {
namespace {

struct LogSinks {
  std::mutex mutex;
  LogLevel level = LogLevel::info;
  std::vector<std::unique_ptr<std::ofstream>> files;
};

LogSinks& sinks() {
  static LogSinks instance;
  return instance;
}

const char* level_label(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "DEBUG";
    case LogLevel::info: return "INFO ";
    case LogLevel::warn: return "WARN ";
    case LogLevel::error: return "ERROR";
    default: return "     ";
  }
}

std::string timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  std::ostringstream out;
  out << std::put_time(&local, "%Y-%m-%d %H:%M:%S") << '.' << std::setw(3) << std::setfill('0')
      << millis;
  return out.str();
}

}  // namespace

LogLevel parse_log_level(const std::string& name) {
  if (name == "debug") return LogLevel::debug;
  if (name == "info") return LogLevel::info;
  if (name == "warn") return LogLevel::warn;
  if (name == "error") return LogLevel::error;
  if (name == "off") return LogLevel::off;
  throw UserError("log level must be one of debug, info, warn, error, off; got '" + name + "'");
}

void set_log_level(LogLevel level) {
  std::lock_guard<std::mutex> lock(sinks().mutex);
  sinks().level = level;
}

LogLevel log_level() {
  std::lock_guard<std::mutex> lock(sinks().mutex);
  return sinks().level;
}

void add_log_file(const std::filesystem::path& path) {
  auto file = std::make_unique<std::ofstream>(path, std::ios::app);
  if (!*file) throw IoError(path.string() + ": cannot open log file for appending");
  std::lock_guard<std::mutex> lock(sinks().mutex);
  sinks().files.push_back(std::move(file));
}

void remove_log_files() {
  std::lock_guard<std::mutex> lock(sinks().mutex);
  sinks().files.clear();
}

void write_log_line(LogLevel level, const std::string& message) {
  const std::string line = timestamp_now() + " " + level_label(level) + " " + message + "\n";
  std::lock_guard<std::mutex> lock(sinks().mutex);
  std::cerr << line << std::flush;
  for (auto& file : sinks().files) *file << line << std::flush;
}

}  // namespace wn
