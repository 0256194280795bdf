#pragma once
// The directory one job writes into (a training run, a synthesis batch): created on demand,
// stamped with the resolved config and the command line, and never silently clobbered.

#include <filesystem>
#include <string>
#include <vector>

namespace wn {

enum class RunDirPolicy {
  create_new,  // the directory must be new or empty
  resume,      // an existing run continues; a new or empty directory starts a run
  overwrite,   // an existing run is deleted first (only if it looks like a run: has config.yaml)
};

class RunDirectory {
 public:
  // Writes config.yaml (on a new run) and appends the command line to command.txt.
  // Throws UserError when the policy forbids using the directory.
  static RunDirectory open(const std::filesystem::path& root, RunDirPolicy policy,
                           const std::string& resolved_config_yaml,
                           const std::vector<std::string>& command_line);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path file(const std::string& name) const { return root_ / name; }
  // True when the directory held a run before this open().
  bool resumed() const { return resumed_; }

  static constexpr const char* kConfigFile = "config.yaml";
  static constexpr const char* kCommandFile = "command.txt";

 private:
  RunDirectory(std::filesystem::path root, bool resumed) : root_(std::move(root)), resumed_(resumed) {}
  std::filesystem::path root_;
  bool resumed_;
};

// The arguments as one line a POSIX shell would run again (quoted where needed).
std::string shell_quote_command(const std::vector<std::string>& arguments);

}  // namespace wn
