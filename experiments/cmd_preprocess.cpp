// `wavenet preprocess INPUT OUTPUT_DIR`: a corpus to HDF5 shards (dataio/preprocess.h).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "core/errors.h"
#include "dataio/preprocess.h"
#include "experiments/cli_common.h"

namespace wn::cli {
namespace {

struct PreprocessArgs {
  std::string input;
  std::string output;
  bool force = false;
  std::string mels_from;
  bool mel_bins_first = false;
  ConfigArgs config;
};

void run(const PreprocessArgs& args) {
  const Config config = args.config.resolve();
  PreprocessOptions options;
  options.force = args.force;
  options.mels_from = args.mels_from;
  options.mel_bins_first = args.mel_bins_first;
  const PreprocessResult r = preprocess_corpus(args.input, args.output, config, options);
  std::printf("landed %lld utterances (%.2f h of audio) in %s; %lld files skipped, %lld non-audio "
              "files ignored (see %s/report.yaml)\n",
              static_cast<long long>(r.utterances), r.audio_seconds / 3600.0, args.output.c_str(),
              static_cast<long long>(r.failures), static_cast<long long>(r.ignored_files),
              args.output.c_str());
  std::printf("shards: %d written, %d kept from an earlier run\n", r.shards_written, r.shards_resumed);
  if (r.processed_audio_seconds > 0) {
    std::printf("throughput: %.1f s of audio processed per wall second (%.0fx real time), %.1f s wall\n",
                r.speed(), r.speed(), r.wall_seconds);
  }
}

}  // namespace

void register_preprocess_command(CLI::App& app) {
  auto args = std::make_shared<PreprocessArgs>();
  CLI::App* command = app.add_subcommand(
      "preprocess",
      "Turn a wav corpus into HDF5 shards of audio + log-mel features, with manifest.yaml and "
      "report.yaml");
  command->add_option("input", args->input,
                      "a directory (searched recursively), an LJSpeech-style folder with "
                      "metadata.csv, or a text file listing audio paths")
      ->required();
  command->add_option("output_dir", args->output, "where shards, manifest and report are written")
      ->required();
  command->add_flag("--force", args->force, "delete earlier outputs in OUTPUT_DIR and start over");
  command->add_option("--mels-from", args->mels_from,
                      "take each utterance's mel from DIR/<utterance id>.npy (frames, n_mels), e.g. a TTS front end's "
                      "teacher-forced output, instead of computing it; turns trimming off");
  command->add_flag("--mel-bins-first", args->mel_bins_first, "the --mels-from arrays are (n_mels, frames)");
  add_config_options(*command, args->config);
  command->footer(
      "A rerun on the same OUTPUT_DIR resumes: complete shards are kept. Unreadable files are "
      "skipped and listed in report.yaml.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
