#pragma once
// What every subcommand shares: the --config option with key=value overrides, preset lookup,
// and the list of subcommands main() registers.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace CLI {
class App;
}

namespace wn::cli {

// Filled by CLI11 while parsing; turned into a validated Config by resolve().
struct ConfigArgs {
  std::string config;                  // path or preset name ("mol24"); empty: defaults
  std::vector<std::string> overrides;  // key.sub=value
  Config resolve() const;
};

// Adds --config and a trailing positional list of key=value overrides to `command`.
void add_config_options(CLI::App& command, ConfigArgs& args);

// A config path as given, or the preset of that name from the configs directory.
std::filesystem::path find_config_file(const std::string& name_or_path);
// Where presets live: $WAVENET_CONFIG_DIR, the installed share dir, or the source tree.
std::vector<std::filesystem::path> preset_directories();

// Threads for LibTorch's intra-op pool; 0 means $OMP_NUM_THREADS if set, else one per core.
// (Debian's LibTorch otherwise starts with a single thread.)
void set_compute_threads(int threads);

// A figure for tables: fixed decimals, "inf" for infinities (identical signals' SNR).
std::string format_figure(double value, int decimals = 3);

// The command line as given, for run directories and logs.
std::vector<std::string> command_line(int argc, char** argv);

// One registration function per subcommand file.
void register_bench_command(CLI::App& app);
void register_bench_engine(CLI::App& bench);  // options and callback of `bench` itself
void register_bench_kernels(CLI::App& bench);
void register_synth_command(CLI::App& app);
void register_config_command(CLI::App& app);
void register_convert_mels_command(CLI::App& app);
void register_demo_command(CLI::App& app);
void register_dream_command(CLI::App& app);
void register_eval_command(CLI::App& app);
void register_import_command(CLI::App& app);
void register_nll_command(CLI::App& app);
void register_plot_command(CLI::App& app);
void register_preprocess_command(CLI::App& app);
void register_rate_command(CLI::App& app);
void register_train_command(CLI::App& app, int argc, char** argv);
void register_selfcheck_command(CLI::App& app);

}  // namespace wn::cli
