// `wavenet nll --checkpoint C --wav W... [--mel M.npy...]`: the mean negative log-likelihood of
// each recording under an autoregressive model, teacher-forced (nets/audio_likelihood); a table
// and, with --csv, file,samples,nats_per_sample,bits_per_sample.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "dataio/audio_io.h"
#include "dataio/npy.h"
#include "dataio/resample.h"
#include "experiments/cli_common.h"
#include "nets/audio_likelihood.h"

namespace wn::cli {
namespace {

struct NllArgs {
  std::string checkpoint;
  std::vector<std::string> wavs, mels;
  std::string label;
  std::string csv;
  bool raw_weights = false;
};

int64_t label_of(const LoadedModel& model, const std::string& name) {
  if (name.empty()) return -1;
  for (std::size_t i = 0; i < model.labels.size(); ++i) {
    if (model.labels[i] == name) return static_cast<int64_t>(i);
  }
  throw UserError("--label " + name + ": not one of the model's labels");
}

// A mel file: (rows, n_mels) float32. Rows equal to the audio's frames (ceil(samples / hop))
// plus 2*context carry their own context rows (as r9y9's synthesis prepares its input); any
// other count is frames, given the model's silence context as synth does.
std::pair<std::vector<float>, bool> read_mel(const std::string& path, const LoadedModel& model, int64_t samples) {
  const NpyArray mel = read_npy(path);
  const int n_mels = model.config.audio.n_mels;
  if (mel.shape.size() != 2 || mel.shape[1] != n_mels) {
    std::string shape;
    for (int64_t d : mel.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    throw UserError(path + ": a mel must be (frames, " + std::to_string(n_mels) + "), this one is (" + shape + ")");
  }
  const int64_t context = model.model->data_needs().context_frames;
  const int64_t hop = model.config.audio.hop_length;
  const int64_t frames = (samples + hop - 1) / hop;
  return {mel.data, context > 0 && mel.shape[0] == frames + 2 * context};
}

void run(const NllArgs& args) {
  set_compute_threads(0);
  if (!args.mels.empty() && args.mels.size() != args.wavs.size()) {
    throw UserError("give one --mel per --wav (" + std::to_string(args.wavs.size()) + " wavs, " + std::to_string(args.mels.size()) + " mels)");
  }
  const LoadedModel model = load_model(args.checkpoint, !args.raw_weights);
  if (model.model->critic()) {
    throw UserError(model.checkpoint.string() + ": model.type=" + model.config.model.type + " is a critic, not a model of audio");
  }
  const int64_t label = label_of(model, args.label);
  std::ostringstream csv;
  csv << "file,samples,nats_per_sample,bits_per_sample\n";
  std::printf("%-56s %10s %12s %12s\n", "file", "samples", "nats/sample", "bits/sample");
  for (std::size_t i = 0; i < args.wavs.size(); ++i) {
    const std::string& file = args.wavs[i];
    MonoAudio audio = read_audio_mono(file);
    LikelihoodInput input;
    input.audio = audio.sample_rate == model.config.audio.sample_rate
                      ? std::move(audio.samples)
                      : resample(audio.samples, audio.sample_rate, model.config.audio.sample_rate);
    if (!args.mels.empty()) std::tie(input.mel, input.mel_has_context) = read_mel(args.mels[i], model, static_cast<int64_t>(input.audio.size()));
    input.label = label;
    AudioLikelihood r;
    try {
      r = audio_likelihood(model, input);
    } catch (const UserError& e) {
      throw UserError(file + ": " + e.what());
    }
    std::printf("%-56s %10lld %12.5f %12.5f\n", file.c_str(), static_cast<long long>(r.samples), r.nats_per_sample,
                r.bits_per_sample());
    csv << file << "," << r.samples << "," << format_figure(r.nats_per_sample, 6) << "," << format_figure(r.bits_per_sample(), 6)
        << "\n";
  }
  if (!args.csv.empty()) write_file_atomically(args.csv, csv.str());
}

}  // namespace

void register_nll_command(CLI::App& app) {
  auto args = std::make_shared<NllArgs>();
  CLI::App* command = app.add_subcommand("nll", "Mean negative log-likelihood of recordings under an autoregressive model");
  command->add_option("--checkpoint", args->checkpoint, "checkpoint file or run directory")->required();
  command->add_option("--wav", args->wavs, "audio files (resampled to the model's rate if needed, otherwise used as they are)")->required();
  command->add_option("--mel", args->mels, "mel-conditioned models: one .npy (frames, n_mels) per --wav, in the model's recipe "
                                           "(default: made from the audio)");
  command->add_option("--label", args->label, "globally conditioned models: the label (speaker) name");
  command->add_option("--csv", args->csv, "also write file,samples,nats_per_sample,bits_per_sample here");
  command->add_flag("--raw-weights", args->raw_weights, "use the trained weights, not their moving average");
  command->footer("The mean is over samples 1..T-1, each predicted from the samples before it (teacher forcing); the\n"
                  "audio is not trimmed or normalised (the model's own gain and pre-emphasis are applied, as in training).\n"
                  "A --mel of frames + 2*context rows is taken to carry its context rows.\n");
  command->callback([args] { run(*args); });
}

}  // namespace wn::cli
