#include "core/run_dir.h"

#include <chrono>
#include <ctime>
#include <fstream>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

bool is_empty_dir(const fs::path& dir) { return fs::is_directory(dir) && fs::is_empty(dir); }

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace

std::string shell_quote_command(const std::vector<std::string>& arguments) {
  std::string line;
  for (const auto& arg : arguments) {
    if (!line.empty()) line += ' ';
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

RunDirectory RunDirectory::open(const fs::path& root, RunDirPolicy policy,
                                const std::string& resolved_config_yaml,
                                const std::vector<std::string>& command_line) {
  const bool exists = fs::exists(root);
  if (exists && !fs::is_directory(root)) {
    throw UserError(root.string() + ": exists and is not a directory");
  }
  const bool holds_run = exists && fs::exists(root / kConfigFile);
  const bool usable_as_new = !exists || is_empty_dir(root);

  bool resumed = false;
  switch (policy) {
    case RunDirPolicy::create_new:
      if (!usable_as_new) {
        throw UserError(root.string() +
                        ": directory is not empty; choose a new run directory or pass --force "
                        "to overwrite it");
      }
      break;
    case RunDirPolicy::resume:
      if (!usable_as_new && !holds_run) {
        throw UserError(root.string() + ": directory is not empty and holds no run (no " +
                        kConfigFile + "); choose a new run directory");
      }
      resumed = holds_run;
      break;
    case RunDirPolicy::overwrite:
      if (!usable_as_new && !holds_run) {
        throw UserError(root.string() + ": refusing to overwrite a directory that holds no run (no " +
                        kConfigFile + ")");
      }
      if (holds_run) fs::remove_all(root);
      break;
  }

  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw IoError(root.string() + ": cannot create run directory: " + ec.message());

  if (!resumed) write_file_atomically(root / kConfigFile, resolved_config_yaml);
  std::ofstream command(root / kCommandFile, std::ios::app);
  command << "# " << utc_timestamp() << "\n" << shell_quote_command(command_line) << "\n";
  if (!command) throw IoError((root / kCommandFile).string() + ": cannot write");
  return RunDirectory(root, resumed);
}

}  // namespace wn
