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

std::string number(double v) { return std::isnan(v) ? "-" : format_figure(v, 4); }
std::string json_number(double v) { return std::isfinite(v) ? format_figure(v, 4) : "null"; }

// Every figure of a comparison, in table order: header, JSON key, value.
struct Figure {
  const char* header;
  const char* key;
  double AudioComparison::*field;
};
constexpr Figure kFigures[] = {
    {"log-mel L1", "log_mel_distance", &AudioComparison::log_mel_distance},
    {"MCD (dB)", "mcd_db", &AudioComparison::mcd_db},
    {"logmel-cep dB", "log_mel_cepstral_distance_db", &AudioComparison::log_mel_cepstral_distance_db},
    {"LSD (dB)", "log_spectral_distance_db", &AudioComparison::log_spectral_distance_db},
    {"F0 RMSE (c)", "f0_rmse_cents", &AudioComparison::f0_rmse_cents},
    {"F0 GPE", "f0_gross_error", &AudioComparison::f0_gross_error},
    {"V/UV error", "voicing_error", &AudioComparison::voicing_error},
    {"floor (dB)", "silence_floor_db", &AudioComparison::silence_floor_db},
    {"SNR (dB)", "snr_db", &AudioComparison::snr_db},
};

std::string comparison_json(const DirectoryComparison& d) {
  auto object = [](const AudioComparison& c, bool with_name) {
    std::ostringstream out;
    out << "{";
    if (with_name) out << "\"name\": \"" << c.name << "\", ";
    for (const Figure& f : kFigures) out << "\"" << f.key << "\": " << json_number(c.*f.field) << ", ";
    if (with_name) out << "\"lag\": " << c.lag;
    std::string text = out.str();
    if (!with_name) text.resize(text.size() - 2);  // the last ", "
    return text + "}";
  };
  std::ostringstream out;
  out << "{\"pairs\": [";
  for (std::size_t i = 0; i < d.pairs.size(); ++i) out << (i ? ", " : "") << object(d.pairs[i], true);
  out << "], \"mean\": " << object(d.mean, false) << "}";
  return out.str();
}

void print_header(const char* first, const char* last) {
  std::printf("%-28s", first);
  for (const Figure& f : kFigures) std::printf(" %13s", f.header);
  std::printf(" %6s\n", last);
}

void print_row(const std::string& name, const AudioComparison& c) {
  std::printf("%-28s", name.c_str());
  for (const Figure& f : kFigures) std::printf(" %13s", number(c.*f.field).c_str());
}

void print_pairs(const DirectoryComparison& d) {
  print_header("utterance", "lag");
  for (const auto& c : d.pairs) {
    print_row(c.name, c);
    std::printf(" %6lld\n", static_cast<long long>(c.lag));
  }
  print_row("mean", d.mean);
  std::printf("\n");
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
    std::printf("\n");
    print_header("mean over matched pairs", "pairs");
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      print_row(std::filesystem::path(dirs[i]).filename().string(), results[i].mean);
      std::printf(" %6zu\n", results[i].pairs.size());
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
      "eval", "Objective metrics of generated audio against references (log-mel L1, MCD, LSD, F0, voicing, silence floor, SNR)");
  command->add_option("reference_dir", args->reference, "reference audio files")->required();
  command->add_option("generated_dirs", args->generated,
                      "one or more directories of generated audio named like the references (then any config overrides)")
      ->required();
  command->add_option("--json", args->json, "also write the metrics to this JSON file");
  command->add_option("--max-lag", args->max_lag, "largest alignment shift tried, samples (default: hop length)");
  command->add_option("--config,-c", args->config.config,
                      "YAML config file, or a preset name from configs/ (demo-voiced, demo, tiny, r64k2, mol24, ...)");
  command->footer(
      "The audio recipe (sample rate, mel bands, log compression) comes from --config. Several generated\n"
      "directories (e.g. samples/wavenet samples/griffin_lim) end with one table, a row per system.\n"
      "MCD: SPTK mel-cepstra (order 24, all-pass alpha for the rate, c0 excluded); logmel-cep: the same\n"
      "formula on the DCT of the log mel; LSD: log-spectral distance; F0 RMSE in cents over frames voiced\n"
      "in both (YIN), F0 GPE the fraction of those off by over 20%, V/UV error the fraction of frames\n"
      "whose voicing differs; floor: the generated level\n"
      "where the reference is silent (40 dB below its loudest); '-': not defined for this pair.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
