// `wavenet convert-mels --from RECIPE --to RECIPE IN... --out DIR` (a recipe: a name, a checkpoint
// or a config file): mels
// of one recipe to another (dataio/mel_conversion), one .npy per input, with the conversion's
// fit error; bad inputs are reported and skipped.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "dataio/mel_conversion.h"
#include "dataio/npy.h"
#include "experiments/cli_common.h"
#include "nets/model_loading.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

struct ConvertArgs {
  std::string from, to;
  std::vector<std::string> inputs;
  std::string out;
  bool bins_first = false;
  int iterations = 300;
};

// A recipe name (NAME or NAME:MEANVAR.npy), else a config file, else a checkpoint or run directory.
MelRecipe recipe_named(const std::string& flag, const std::string& spec) {
  if (names_mel_recipe(spec)) return mel_recipe_from_spec(spec);
  if (!fs::exists(spec)) throw UserError(flag + " " + spec + ": not a recipe (" + mel_recipe_names() + "), config or checkpoint");
  if (fs::path(spec).extension() == ".yaml" || fs::path(spec).extension() == ".yml") {
    return mel_recipe_of(spec, resolve_config(fs::path(spec)).audio);
  }
  return mel_recipe_of(spec, load_model(spec, true).config.audio);
}

std::vector<fs::path> npy_files(const std::vector<std::string>& inputs) {
  std::vector<fs::path> files;
  for (const std::string& input : inputs) {
    if (!fs::is_directory(input)) {
      files.emplace_back(input);
      continue;
    }
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(input)) {
      if (entry.is_regular_file() && entry.path().extension() == ".npy") found.push_back(entry.path());
    }
    if (found.empty()) throw UserError(input + ": no .npy files in this directory");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

// frames x n_mels (transposed from bins-first files), checked against the recipe's band count.
std::vector<float> read_mel(const fs::path& path, int n_mels, bool bins_first) {
  const NpyArray a = read_npy(path);
  if (a.shape.size() != 2 || a.shape[bins_first ? 0 : 1] != n_mels) {
    throw UserError(path.string() + ": not a mel of " + std::to_string(n_mels) + " bands" +
                    (bins_first ? " stored (n_mels, frames)" : " stored (frames, n_mels)"));
  }
  if (!bins_first) return a.data;
  const int64_t frames = a.shape[1];
  std::vector<float> rows(a.data.size());
  for (int64_t f = 0; f < frames; ++f) {
    for (int64_t b = 0; b < n_mels; ++b) rows[static_cast<std::size_t>(f * n_mels + b)] = a.data[static_cast<std::size_t>(b * frames + f)];
  }
  return rows;
}

void run(const ConvertArgs& args) {
  const MelConverter converter(recipe_named("--from", args.from), recipe_named("--to", args.to), args.iterations);
  std::printf("%s -> %s: %s\n", converter.from().name.c_str(), converter.to().name.c_str(),
              converter.exact() ? "the filterbanks agree: exact (log, floor and normaliser only)"
                                : "other filterbanks: through each frame's non-negative least-squares spectrum");
  fs::create_directories(args.out);
  int failures = 0, done = 0;
  double error_sum = 0;
  const int n_from = converter.from().audio.n_mels, n_to = converter.to().audio.n_mels;
  for (const fs::path& file : npy_files(args.inputs)) {
    try {
      const ConvertedMel converted = converter.convert(read_mel(file, n_from, args.bins_first));
      const auto frames = static_cast<int64_t>(converted.mel.size()) / n_to;
      const fs::path out = fs::path(args.out) / file.filename();
      write_npy(out, converted.mel, {frames, n_to});
      std::printf("%s -> %s: %lld frames", file.c_str(), out.c_str(), static_cast<long long>(frames));
      if (!converted.exact) std::printf(", fit error %.3f dB", converted.fit_error_db);
      std::printf("\n");
      error_sum += converted.fit_error_db;
      ++done;
    } catch (const UserError& e) {
      std::fprintf(stderr, "wavenet: error: %s\n", e.what());
      ++failures;
    }
  }
  if (!converter.exact() && done > 0) std::printf("mean fit error %.3f dB over %d files\n", error_sum / done, done);
  if (failures > 0) throw UserError(std::to_string(failures) + " of " + std::to_string(failures + done) + " inputs failed (see above)");
}

}  // namespace

void register_convert_mels_command(CLI::App& app) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* command = app.add_subcommand("convert-mels", "Convert mel spectrograms between recipes (r9y9, tacotron2, espnet, a model's)");
  command->add_option("--from", args->from,
                      "the mels' recipe: r9y9, tacotron2, espnet, NAME:MEANVAR.npy with its normaliser, a checkpoint or run "
                      "directory, or a config .yaml")->required();
  command->add_option("--to", args->to, "the recipe to convert to, given as for --from")->required();
  command->add_option("inputs", args->inputs, ".npy mels (frames, n_mels), or directories of them")->required();
  command->add_option("--out", args->out, "directory for the converted .npy files (same names)")->required();
  command->add_flag("--bins-first", args->bins_first, "the inputs are (n_mels, frames); outputs are always (frames, n_mels)");
  command->add_option("--iterations", args->iterations, "non-negative least-squares iterations per frame (other filterbanks)")
      ->check(CLI::Range(1, 100000));
  command->footer("Exact where the filterbanks agree (only the log base, floor and normaliser differ); otherwise each frame's\n"
                  "spectrum is recovered by non-negative least squares against the source filterbank (bins outside its band\n"
                  "take the nearest edge's value) and the target's filterbank is applied. The fit error is how far the source\n"
                  "mel re-made from that spectrum is from the given one, in dB. Frame rates (sample rate, hop) must agree.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
