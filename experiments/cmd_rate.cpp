// `wavenet rate --checkpoint C FILE_OR_DIR...`: a trained critic's score of each audio file,
// made through the preprocessing recipe stored in the checkpoint; a table on the console and,
// with --csv, a file Python reads with one line of pandas.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "dataio/audio_io.h"
#include "dataio/features.h"
#include "experiments/cli_common.h"
#include "nets/critic_scoring.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

struct RateArgs {
  std::string checkpoint;
  std::vector<std::string> inputs;
  std::string csv;
  std::string label;
  bool raw_weights = false;
};

// The audio files named or found (recursively, sorted) under the named directories.
std::vector<fs::path> audio_files(const std::vector<std::string>& inputs) {
  std::vector<fs::path> files;
  for (const std::string& input : inputs) {
    if (!fs::exists(input)) throw UserError(input + ": not found");
    if (!fs::is_directory(input)) {
      files.emplace_back(input);
      continue;
    }
    std::vector<fs::path> found;
    for (const auto& entry : fs::recursive_directory_iterator(input, fs::directory_options::follow_directory_symlink)) {
      if (entry.is_regular_file() && has_audio_extension(entry.path())) found.push_back(entry.path());
    }
    if (found.empty()) throw UserError(input + ": no audio files in this directory");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

int64_t label_id(const LoadedModel& model, const std::string& name) {
  if (name.empty()) return -1;
  const auto it = std::find(model.labels.begin(), model.labels.end(), name);
  if (it == model.labels.end()) throw UserError("--label " + name + ": not one of the model's labels");
  return it - model.labels.begin();
}

void run(const RateArgs& args) {
  const LoadedModel model = load_model(args.checkpoint, !args.raw_weights);
  if (!model.model->critic()) {
    throw UserError(model.checkpoint.string() + ": model.type=" + model.config.model.type +
                    " is not a critic; rate with a rating model (model.type=rating)");
  }
  const bool regression = model.model->critic()->regression();
  const int64_t label = label_id(model, args.label);
  const std::vector<fs::path> files = audio_files(args.inputs);
  const MelSpectrogram mel(model.config.audio);
  std::ostringstream csv;
  csv << (regression ? "file,score\n" : "file,label,probability\n");
  if (regression) {
    std::printf("%-60s %12s\n", "file", "score");
  } else {
    std::printf("%-60s %12s %-16s\n", "file", "probability", "label");
  }
  int scored = 0;
  for (const fs::path& file : files) {
    try {
      const CriticScore s = score_clip(model, extract_features(file, model.config.audio, mel).mel, label);
      const std::string name = regression ? "" : model.labels.at(static_cast<std::size_t>(s.label));
      if (regression) {
        std::printf("%-60s %12.4f\n", file.string().c_str(), s.score);
      } else {
        std::printf("%-60s %12.4f %-16s\n", file.string().c_str(), s.score, name.c_str());
      }
      csv << file.string() << "," << (regression ? "" : name + ",") << format_figure(s.score, 6) << "\n";
      ++scored;
    } catch (const UserError& e) {
      std::fprintf(stderr, "skipped %s\n", e.what());
    }
  }
  if (!args.csv.empty()) write_file_atomically(args.csv, csv.str());
  if (scored == 0) throw UserError("no file could be scored (" + std::to_string(files.size()) + " tried)");
  if (scored < static_cast<int>(files.size())) {
    std::fprintf(stderr, "%d of %zu files scored; the others are named above\n", scored, files.size());
  }
}

}  // namespace

void register_rate_command(CLI::App& app) {
  auto args = std::make_shared<RateArgs>();
  CLI::App* command = app.add_subcommand("rate", "Score audio files with a trained critic (model.type=rating)");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint file or run directory of a rating model")->required();
  command->add_option("inputs", args->inputs, "audio files, or directories searched for them")->required();
  command->add_option("--csv", args->csv, "also write the scores here (file,score; file,label,probability for classifiers)");
  command->add_option("--label", args->label, "classifiers: the probability of this label (default: the most probable label)");
  command->add_flag("--raw-weights", args->raw_weights, "use the trained weights, not their moving average");
  command->footer("Scores are in the target's own units (e.g. popularity), not standardised. Files that cannot be\n"
                  "read are named and skipped.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
