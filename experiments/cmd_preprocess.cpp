// `wavenet preprocess INPUT OUTPUT_DIR`: a corpus to HDF5 shards (dataio/preprocess.h).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "core/errors.h"
#include "dataio/preprocess.h"
#include "dataio/preprocess_parts.h"
#include "experiments/cli_common.h"

namespace wn::cli {
namespace {

struct PreprocessArgs {
  std::string input;
  std::string output;
  bool force = false;
  std::string mels_from;
  bool mel_bins_first = false;
  std::string part;
  bool merge = false;
  ConfigArgs config;
};

void merge(const PreprocessArgs& args) {
  if (args.input.empty() || !args.output.empty() || !args.part.empty() || args.force || !args.mels_from.empty()) {
    throw UserError("--merge takes only the OUTPUT_DIR the parts wrote: wavenet preprocess --merge OUTPUT_DIR");
  }
  const PreprocessResult r = merge_preprocess_parts(args.input);
  std::printf("merged %d shards: %lld utterances (%.2f h of audio) in %s; %lld files skipped (see %s/report.yaml)\n",
              r.shards_resumed, static_cast<long long>(r.utterances), r.audio_seconds / 3600.0, args.input.c_str(),
              static_cast<long long>(r.failures), args.input.c_str());
}

void run(const PreprocessArgs& args) {
  if (args.merge) return merge(args);
  if (args.input.empty() || args.output.empty()) throw UserError("give INPUT and OUTPUT_DIR (or --merge OUTPUT_DIR)");
  const Config config = args.config.resolve();
  PreprocessOptions options;
  options.force = args.force;
  options.mels_from = args.mels_from;
  options.mel_bins_first = args.mel_bins_first;
  if (!args.part.empty()) options.part = parse_corpus_part(args.part);
  const PreprocessResult r = preprocess_corpus(args.input, args.output, config, options);
  const std::string report = options.part.whole() ? "report.yaml"
                                                  : "report.part-" + std::to_string(options.part.index) + "-of-" +
                                                        std::to_string(options.part.count) + ".yaml";
  std::printf("%slanded %lld utterances (%.2f h of audio) in %s; %lld files skipped, %lld non-audio "
              "files ignored (see %s/%s)\n",
              options.part.whole() ? "" : ("part " + options.part.name() + ": ").c_str(), static_cast<long long>(r.utterances),
              r.audio_seconds / 3600.0, args.output.c_str(), static_cast<long long>(r.failures),
              static_cast<long long>(r.ignored_files), args.output.c_str(), report.c_str());
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
                      "metadata.csv, or a text file listing audio paths (with --merge: the OUTPUT_DIR)");
  command->add_option("output_dir", args->output, "where shards, manifest and report are written");
  command->add_option("--part", args->part,
                      "I/N: only part I of N of the corpus (shards I, I+N, ... of its plan), for a cluster; its own "
                      "report.part-I-of-N.yaml, no manifest until --merge");
  command->add_flag("--merge", args->merge, "join the finished parts in OUTPUT_DIR into manifest.yaml and report.yaml");
  command->add_flag("--force", args->force, "delete earlier outputs in OUTPUT_DIR and start over");
  command->add_option("--mels-from", args->mels_from,
                      "take each utterance's mel from DIR/<utterance id>.npy (frames, n_mels), e.g. a TTS front end's "
                      "teacher-forced output, instead of computing it; turns trimming off");
  command->add_flag("--mel-bins-first", args->mel_bins_first, "the --mels-from arrays are (n_mels, frames)");
  add_config_options(*command, args->config);
  command->footer(
      "A rerun on the same OUTPUT_DIR resumes: complete shards are kept. Unreadable files are "
      "skipped and listed in report.yaml.\n"
      "Across a cluster: run `preprocess INPUT OUT --part I/N` for I = 1..N (any order, any hosts, one shared OUT),\n"
      "then `preprocess --merge OUT`: the same shards, statistics and labels as one run.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
