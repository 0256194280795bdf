// `wavenet import r9y9 CHECKPOINT.pth --hparams HPARAMS.json [--meanvar M.npy] --out model.pt`:
// another project's trained model as one of our checkpoints (nets/interop/r9y9_import).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "experiments/cli_common.h"
#include "nets/interop/r9y9_import.h"

namespace wn::cli {
namespace {

void run_r9y9(const R9y9ImportOptions& options) {
  const R9y9ImportReport report = import_r9y9(options);
  std::printf("imported %s (r9y9 step %lld, %lld tensors)\n", options.checkpoint.c_str(), static_cast<long long>(report.step),
              static_cast<long long>(report.tensors));
  std::printf("model: %s\n", report.model.c_str());
  for (const std::string& key : report.dropped) std::printf("left out %s (its output feeds nothing)\n", key.c_str());
  std::printf("wrote %s%s\n", options.out.c_str(),
              options.meanvar.empty() ? " (it reads mels normalised as r9y9's dump holds them; --meanvar makes it read plain log10 mels)"
                                      : "");
  std::printf("wrote %s (its config: preprocess --config and train --config take it)\n", report.config.c_str());
}

}  // namespace

void register_import_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("import", "Turn another project's trained model into a checkpoint of ours");
  command->require_subcommand(1);
  auto options = std::make_shared<R9y9ImportOptions>();
  CLI::App* r9y9 = command->add_subcommand("r9y9", "An r9y9/wavenet_vocoder checkpoint (.pth, EMA or not) and its hparams JSON");
  r9y9->add_option("checkpoint", options->checkpoint, "the .pth train.py wrote (checkpoint_stepN.pth or *_ema.pth)")->required();
  r9y9->add_option("--hparams", options->hparams, "the hparams JSON it was trained with (egs/*/conf/*.json)")->required();
  r9y9->add_option("--meanvar", options->meanvar,
                   "(2, num_mels) .npy: mean and scale of its mel normaliser (meanvar.joblib's mean_ and scale_); "
                   "then the model reads plain log10 mels");
  r9y9->add_option("--out", options->out, "checkpoint to write (synth, bench, nll, eval and train --init take it)")->required();
  r9y9->footer("Reads the .pth with Python's torch (python3-torch; $WAVENET_PYTHON picks the interpreter). The model\n"
               "computes what r9y9's does: same mel recipe (log10, floor 1e-10, before gain and pre-emphasis), its\n"
               "global_gain_scale and pre-emphasis (0.85) undone on synthesis, mu-law rounded down as nnmnkwii does.\n");
  r9y9->callback([options] { run_r9y9(*options); });
}

}  // namespace wn::cli
