#include "experiments/cli_common.h"

#include <ATen/Parallel.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "build_info.h"
#include "core/config/config_io.h"
#include "core/errors.h"

namespace wn::cli {

namespace fs = std::filesystem;

Config ConfigArgs::resolve() const {
  for (const auto& argument : overrides) {
    if (!is_override(argument)) {
      throw UserError("unexpected argument '" + argument +
                      "': config overrides look like section.key=value");
    }
  }
  std::optional<fs::path> file;
  if (!config.empty()) file = find_config_file(config);
  return resolve_config(file, overrides);
}

void add_config_options(CLI::App& command, ConfigArgs& args) {
  command.add_option("--config,-c", args.config,
                     "YAML config file, or a preset name from configs/ (demo-voiced, demo, tiny, r64k2, mol24, ...)");
  command.add_option("overrides", args.overrides, "config overrides, e.g. model.layers=30");
}

std::vector<fs::path> preset_directories() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("WAVENET_CONFIG_DIR")) dirs.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / "wavenet" / "configs");
  dirs.emplace_back(WAVENET_INSTALLED_CONFIG_DIR);
  dirs.emplace_back(WAVENET_SOURCE_CONFIG_DIR);
  return dirs;
}

fs::path find_config_file(const std::string& name_or_path) {
  const fs::path given(name_or_path);
  if (fs::exists(given)) return given;
  const bool looks_like_name = !given.has_parent_path() && !given.has_extension();
  if (looks_like_name) {
    for (const auto& dir : preset_directories()) {
      const fs::path candidate = dir / (name_or_path + ".yaml");
      if (fs::exists(candidate)) return candidate;
    }
    throw UserError("config '" + name_or_path + "' is neither a file nor a preset in configs/");
  }
  throw UserError(name_or_path + ": config file not found");
}

void set_compute_threads(int threads) {
  if (threads <= 0) {
    const char* env = std::getenv("OMP_NUM_THREADS");
    threads = env ? std::atoi(env) : 0;
  }
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
}

std::string format_figure(double value, int decimals) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::vector<std::string> command_line(int argc, char** argv) {
  return std::vector<std::string>(argv, argv + argc);
}

}  // namespace wn::cli
