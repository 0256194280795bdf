// `wavenet eval REF_DIR GEN_DIR`: objective metrics of generated audio against references,
// matched by file name (dataio/objective_metrics.h).

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "core/atomic_file.h"
#include "dataio/objective_metrics.h"
#include "experiments/cli_common.h"

namespace wn::cli {
namespace {

struct EvalArgs {
  std::string reference;
  std::string generated;
  std::string json;
  int64_t max_lag = -1;
  ConfigArgs config;
};

std::string number(double v) { return format_figure(v, 4); }

void run(const EvalArgs& args) {
  const Config config = args.config.resolve();
  const int64_t max_lag = args.max_lag >= 0 ? args.max_lag : config.audio.hop_length;
  const DirectoryComparison d = compare_directories(args.reference, args.generated, config.audio, max_lag);
  std::printf("%-32s %12s %10s %10s %6s\n", "utterance", "log-mel L1", "MCD (dB)", "SNR (dB)", "lag");
  for (const auto& c : d.pairs) {
    std::printf("%-32s %12s %10s %10s %6lld\n", c.name.c_str(), number(c.log_mel_distance).c_str(),
                number(c.mel_cepstral_distortion_db).c_str(), number(c.snr_db).c_str(), static_cast<long long>(c.lag));
  }
  std::printf("%-32s %12s %10s %10s\n", "mean", number(d.mean.log_mel_distance).c_str(),
              number(d.mean.mel_cepstral_distortion_db).c_str(), number(d.mean.snr_db).c_str());
  for (const auto& u : d.unmatched) std::printf("unmatched: %s\n", u.c_str());
  if (!args.json.empty()) {
    std::ostringstream out;
    out << "{\"pairs\": [";
    for (std::size_t i = 0; i < d.pairs.size(); ++i) {
      const auto& c = d.pairs[i];
      out << (i ? ", " : "") << "{\"name\": \"" << c.name << "\", \"log_mel_distance\": " << c.log_mel_distance
          << ", \"mcd_db\": " << c.mel_cepstral_distortion_db << ", \"snr_db\": "
          << (std::isinf(c.snr_db) ? "null" : number(c.snr_db)) << ", \"lag\": " << c.lag << "}";
    }
    out << "], \"mean\": {\"log_mel_distance\": " << d.mean.log_mel_distance << ", \"mcd_db\": "
        << d.mean.mel_cepstral_distortion_db << ", \"snr_db\": "
        << (std::isinf(d.mean.snr_db) ? "null" : number(d.mean.snr_db)) << "}}\n";
    write_file_atomically(args.json, out.str());
  }
}

}  // namespace

void register_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* command = app.add_subcommand(
      "eval", "Objective metrics of generated audio against references (log-mel L1, MCD, aligned SNR)");
  command->add_option("reference_dir", args->reference, "reference audio files")->required();
  command->add_option("generated_dir", args->generated, "generated audio files, named like the references")->required();
  command->add_option("--json", args->json, "also write the metrics to this JSON file");
  command->add_option("--max-lag", args->max_lag, "largest alignment shift tried, samples (default: hop length)");
  add_config_options(*command, args->config);
  command->footer("The audio recipe (sample rate, mel bands, log compression) comes from --config.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
