// `wavenet config show`: print the resolved config (file + includes + overrides), validated.

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "core/config/config_io.h"
#include "experiments/cli_common.h"
#include "nets/model_registry.h"

namespace wn::cli {
namespace {

struct ShowArgs {
  ConfigArgs config;
  bool comments = false;
};

void show(const ShowArgs& args) {
  const Config config = args.config.resolve();
  std::cout << "# " << config.model.type << ": " << model_family(config.model.type).summary(config) << "\n"
            << config_to_yaml(config, args.comments);
}

}  // namespace

void register_config_command(CLI::App& app) {
  CLI::App* config = app.add_subcommand("config", "Inspect configs and presets");
  auto args = std::make_shared<ShowArgs>();
  CLI::App* show_cmd = config->add_subcommand(
      "show", "Print the resolved config: file, its includes and key=value overrides, validated");
  add_config_options(*show_cmd, args->config);
  show_cmd->add_flag("--comments", args->comments, "describe every key in a comment");
  show_cmd->callback([args] { show(*args); });
}

}  // namespace wn::cli
