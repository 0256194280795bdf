// `wavenet plot RUN_DIR [--out FILE.png] [--tag TAG ...]`: a run's training curves from its
// TensorBoard files: training and validation loss over steps, the learning rate, and any other
// logged scalar asked for, one chart each, stacked on one step axis.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "core/tensorboard_reader.h"
#include "experiments/charts.h"
#include "experiments/cli_common.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

struct PlotArgs {
  std::string run_dir;
  CurvesFigure figure;
};

void run(PlotArgs& args) {
  const RunEvents events = read_run_events(args.run_dir);
  if (args.figure.out.empty()) args.figure.out = fs::path(args.run_dir) / "curves.png";
  const std::size_t charts = write_training_curves(events, args.run_dir, args.figure);
  std::printf("wrote %s: %zu charts from %zu event file%s (%lld records%s)\n", args.figure.out.c_str(), charts, events.files.size(),
              events.files.size() == 1 ? "" : "s", static_cast<long long>(events.records),
              events.truncated ? "; the last one ends mid-record, as a killed run leaves it" : "");
}

}  // namespace

void register_plot_command(CLI::App& app) {
  auto args = std::make_shared<PlotArgs>();
  CLI::App* command = app.add_subcommand("plot", "Draw a run's training curves (loss, validation loss, learning rate) from its TensorBoard files");
  command->add_option("run_dir", args->run_dir, "a training run directory (its events.out.tfevents.* files)")->required();
  command->add_option("--out", args->figure.out, "the PNG to write (default: RUN_DIR/curves.png)");
  command->add_option("--tag", args->figure.tags, "also chart this logged scalar, e.g. valid/mcd_db or train/grad_norm; repeatable");
  command->add_option("--width", args->figure.width, "pixels")->capture_default_str()->check(CLI::Range(200, 8000));
  command->add_option("--height", args->figure.height, "pixels (default: 300 per chart)")->check(CLI::Range(0, 8000));
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
