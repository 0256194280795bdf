// `wavenet eval REF_DIR GEN_DIR [GEN_DIR...]`: objective metrics of generated audio against
// references, matched by file name (dataio/objective_metrics.h); several systems side by side.

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "dataio/objective_metrics.h"
#include "experiments/cli_common.h"

namespace wn::cli {
namespace {

struct EvalArgs {
  std::string reference;
  std::vector<std::string> generated;  // directories, then any key=value config overrides
  std::string json;
  int64_t max_lag = -1;
  ConfigArgs config;
};

std::string number(double v) { return format_figure(v, 4); }
std::string json_number(double v) { return std::isinf(v) ? "null" : number(v); }

std::string comparison_json(const DirectoryComparison& d) {
  std::ostringstream out;
  out << "{\"pairs\": [";
  for (std::size_t i = 0; i < d.pairs.size(); ++i) {
    const auto& c = d.pairs[i];
    out << (i ? ", " : "") << "{\"name\": \"" << c.name << "\", \"log_mel_distance\": " << c.log_mel_distance
        << ", \"mcd_db\": " << c.mel_cepstral_distortion_db << ", \"snr_db\": " << json_number(c.snr_db)
        << ", \"lag\": " << c.lag << "}";
  }
  out << "], \"mean\": {\"log_mel_distance\": " << d.mean.log_mel_distance << ", \"mcd_db\": "
      << d.mean.mel_cepstral_distortion_db << ", \"snr_db\": " << json_number(d.mean.snr_db) << "}}";
  return out.str();
}

void print_pairs(const DirectoryComparison& d) {
  std::printf("%-32s %12s %10s %10s %6s\n", "utterance", "log-mel L1", "MCD (dB)", "SNR (dB)", "lag");
  for (const auto& c : d.pairs) {
    std::printf("%-32s %12s %10s %10s %6lld\n", c.name.c_str(), number(c.log_mel_distance).c_str(),
                number(c.mel_cepstral_distortion_db).c_str(), number(c.snr_db).c_str(), static_cast<long long>(c.lag));
  }
  std::printf("%-32s %12s %10s %10s\n", "mean", number(d.mean.log_mel_distance).c_str(),
              number(d.mean.mel_cepstral_distortion_db).c_str(), number(d.mean.snr_db).c_str());
  for (const auto& u : d.unmatched) std::printf("unmatched: %s\n", u.c_str());
}

void run(EvalArgs args) {
  // Positionals after the reference: directories, then section.key=value overrides.
  std::vector<std::string> dirs;
  for (const std::string& item : args.generated) {
    (item.find('=') != std::string::npos && !std::filesystem::is_directory(item) ? args.config.overrides : dirs).push_back(item);
  }
  if (dirs.empty()) throw UserError("give at least one directory of generated audio after the reference directory");
  const Config config = args.config.resolve();
  const int64_t max_lag = args.max_lag >= 0 ? args.max_lag : config.audio.hop_length;
  std::vector<DirectoryComparison> results;
  for (const std::string& dir : dirs) {
    results.push_back(compare_directories(args.reference, dir, config.audio, max_lag));
    if (dirs.size() > 1) std::printf("%s%s\n", results.size() > 1 ? "\n" : "", dir.c_str());
    print_pairs(results.back());
  }
  if (dirs.size() > 1) {
    // One row per system, on the same references: "our WaveNet vs Griffin-Lim".
    std::printf("\n%-32s %12s %10s %10s %6s\n", "mean over matched pairs", "log-mel L1", "MCD (dB)", "SNR (dB)", "pairs");
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      const AudioComparison& m = results[i].mean;
      std::printf("%-32s %12s %10s %10s %6zu\n", std::filesystem::path(dirs[i]).filename().c_str(), number(m.log_mel_distance).c_str(),
                  number(m.mel_cepstral_distortion_db).c_str(), number(m.snr_db).c_str(), results[i].pairs.size());
    }
  }
  if (!args.json.empty()) {
    std::string text = comparison_json(results.front());
    if (dirs.size() > 1) {
      text = "{\"systems\": [";
      for (std::size_t i = 0; i < dirs.size(); ++i) {
        const std::string one = comparison_json(results[i]);
        text += (i ? ", " : "") + std::string("{\"generated\": \"") + dirs[i] + "\", " + one.substr(1);
      }
      text += "]}";
    }
    write_file_atomically(args.json, text + "\n");
  }
}

}  // namespace

void register_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* command = app.add_subcommand(
      "eval", "Objective metrics of generated audio against references (log-mel L1, MCD, aligned SNR)");
  command->add_option("reference_dir", args->reference, "reference audio files")->required();
  command->add_option("generated_dirs", args->generated,
                      "one or more directories of generated audio named like the references (then any config overrides)")
      ->required();
  command->add_option("--json", args->json, "also write the metrics to this JSON file");
  command->add_option("--max-lag", args->max_lag, "largest alignment shift tried, samples (default: hop length)");
  command->add_option("--config,-c", args->config.config,
                      "YAML config file, or a preset name from configs/ (tiny, r64k2, mol24, mulaw30)");
  command->footer(
      "The audio recipe (sample rate, mel bands, log compression) comes from --config. Several generated\n"
      "directories (e.g. samples/wavenet samples/griffin_lim) end with one table, a row per system.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
