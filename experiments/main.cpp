// The `wavenet` program: parses the command line, runs one subcommand, and maps errors to exit
// codes. User errors print one line and exit 2; bugs print one line and exit 1.

#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>
#include <torch/version.h>

#include <iostream>

#include "build_info.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/strings.h"
#include "experiments/cli_common.h"

namespace {

constexpr int kUserErrorExit = 2;

std::string version_text() {
  return std::string("wavenet ") + WAVENET_VERSION + " (commit " + WAVENET_GIT_COMMIT +
         ", LibTorch " + TORCH_VERSION + ")";
}

// CLI11's own "a subcommand is required" check runs before its unknown-argument check and so
// hides the real mistake (`wavenet --bogus`); this one runs after parsing instead.
void require_leaf_subcommand(CLI::App& app) {
  CLI::App* current = &app;
  std::string path = "wavenet";
  while (!current->get_subcommands().empty()) {
    current = current->get_subcommands().front();
    path += " " + current->get_name();
  }
  if (current->get_require_subcommand_min() == 0 && current->get_require_subcommand_max() == 1) {
    return;  // this command works on its own too (`wavenet bench`)
  }
  std::vector<std::string> names;
  for (const CLI::App* sub : current->get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  if (!names.empty()) {
    throw wn::UserError(path + " needs a subcommand: " + wn::join(names, ", ") + " (see " + path +
                        " --help)");
  }
}

int run(int argc, char** argv) {
  CLI::App app("Raw-waveform generative models (WaveNet, SampleRNN): preprocess wav corpora, train, synthesize and benchmark",
               "wavenet");
  app.set_version_flag("--version", version_text());
  app.fallthrough();
  std::string level = "info";
  app.add_option("--log-level", level, "debug, info, warn, error or off")->capture_default_str();
  app.footer("Run 'wavenet <subcommand> --help' for the options of each subcommand.\n");

  wn::cli::register_demo_command(app);
  wn::cli::register_preprocess_command(app);
  wn::cli::register_train_command(app, argc, argv);
  wn::cli::register_synth_command(app);
  wn::cli::register_eval_command(app);
  wn::cli::register_nll_command(app);
  wn::cli::register_import_command(app);
  wn::cli::register_convert_mels_command(app);
  wn::cli::register_rate_command(app);
  wn::cli::register_dream_command(app);
  wn::cli::register_bench_command(app);
  wn::cli::register_plot_command(app);
  wn::cli::register_config_command(app);
  wn::cli::register_selfcheck_command(app);

  app.parse_complete_callback([&] {
    wn::set_log_level(wn::parse_log_level(level));
    require_leaf_subcommand(app);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // A subcommand's own non-zero status; it has reported already.
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::cerr << "wavenet: error: " << e.what() << " (see --help)\n";
    return kUserErrorExit;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    wn::cli::set_compute_threads(0);
    return run(argc, argv);
  } catch (const wn::UserError& e) {
    std::cerr << "wavenet: error: " << e.what() << "\n";
    return kUserErrorExit;
  } catch (const c10::Error& e) {
    std::cerr << "wavenet: internal error: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "wavenet: internal error: " << e.what() << "\n";
    return 1;
  }
}
