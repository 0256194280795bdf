#include "experiments/synth_inputs.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include "core/errors.h"
#include "dataio/features.h"
#include "dataio/manifest.h"
#include "dataio/mel_conversion.h"
#include "dataio/npy.h"
#include "dataio/shard_reader.h"

namespace wn::cli {
namespace {

namespace fs = std::filesystem;

// A .npy mel as frames x n_mels, checked against the recipe.
std::vector<float> npy_mel(const fs::path& path, bool bins_first, const AudioConfig& recipe) {
  const NpyArray array = read_npy(path);
  if (array.shape.size() != 2) {
    throw UserError(path.string() + ": mel must be 2-D (frames, n_mels), got " + std::to_string(array.shape.size()) + "-D");
  }
  const int64_t rows = array.shape[0], cols = array.shape[1];
  const int64_t frames = bins_first ? cols : rows, bins = bins_first ? rows : cols;
  if (bins != recipe.n_mels) {
    const bool swapped = (bins_first ? cols : rows) == recipe.n_mels;
    throw UserError(path.string() + ": mel has " + std::to_string(bins) + " bins per frame, the model expects " +
                    std::to_string(recipe.n_mels) +
                    (swapped ? (bins_first ? " (is it frames x n_mels? drop --mel-bins-first)" : " (is it n_mels x frames? pass --mel-bins-first)") : ""));
  }
  if (frames == 0) throw UserError(path.string() + ": mel has no frames");
  if (!bins_first) return array.data;
  std::vector<float> mel(array.data.size());
  for (int64_t f = 0; f < frames; ++f) {
    for (int64_t m = 0; m < bins; ++m) mel[f * bins + m] = array.data[m * frames + f];
  }
  return mel;
}

// Utterance names may hold folders ("speaker/file"): one flat file name per clip.
std::string file_stem(std::string name) {
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

void load_shards(const SynthInputArgs& args, const AudioConfig& recipe, std::vector<SynthInput>& inputs, int& failures) {
  std::set<std::string> wanted(args.utterances.begin(), args.utterances.end()), found;
  bool all_opened = true;
  for (const std::string& path : args.shards) {
    try {
      const ShardReader shard(path);
      // Label ids are the corpus's own; its manifest, when beside the shard, names them.
      std::vector<std::string> label_names;
      if (fs::exists(fs::path(path).parent_path() / "manifest.yaml")) label_names = read_manifest(fs::path(path).parent_path()).labels;
      const ShardAttributes& a = shard.attributes();
      if (a.sample_rate != recipe.sample_rate || a.hop_length != recipe.hop_length || a.n_mels != recipe.n_mels) {
        throw UserError(path + ": shard has " + std::to_string(a.sample_rate) + " Hz, hop " + std::to_string(a.hop_length) + ", " +
                        std::to_string(a.n_mels) + " mels; the model expects " + std::to_string(recipe.sample_rate) + " Hz, hop " +
                        std::to_string(recipe.hop_length) + ", " + std::to_string(recipe.n_mels) + " mels");
      }
      for (std::size_t i = 0; i < shard.size(); ++i) {
        if (!wanted.empty() && wanted.count(shard.name(i)) == 0) continue;
        found.insert(shard.name(i));
        SynthInput input;
        input.name = file_stem(shard.name(i));
        input.source = path + ":" + shard.name(i);
        input.mel = shard.read_mel(i, 0, shard.frames(i));
        input.label = shard.label(i);
        if (input.label >= 0 && input.label < static_cast<int32_t>(label_names.size())) input.label_name = label_names[input.label];
        inputs.push_back(std::move(input));
      }
    } catch (const UserError& e) {
      report_input_error(e.what(), failures);
      all_opened = false;
    }
  }
  for (const std::string& name : wanted) {
    // A name may have been in a shard that failed to open: that shard's error says enough.
    if (found.count(name) == 0 && all_opened) report_input_error("no utterance named '" + name + "' in the given shards", failures);
  }
}

}  // namespace

void report_input_error(const std::string& message, int& failures) {
  std::fprintf(stderr, "wavenet: error: %s\n", message.c_str());
  ++failures;
}

bool has_inputs(const SynthInputArgs& args) { return !args.mels.empty() || !args.wavs.empty() || !args.shards.empty(); }

std::vector<SynthInput> load_synth_inputs(const SynthInputArgs& args, const AudioConfig& recipe, int& failures) {
  if (!args.utterances.empty() && args.shards.empty()) throw UserError("--utterance picks utterances of a --shard; give one");
  std::vector<SynthInput> inputs;
  const MelSpectrogram analysis(recipe);
  std::unique_ptr<MelConverter> converter;  // --mel-recipe: .npy mels to the model's recipe
  if (!args.mel_recipe.empty()) {
    converter = std::make_unique<MelConverter>(mel_recipe_from_spec(args.mel_recipe), mel_recipe_of("the synthesis recipe", recipe));
  }
  auto npy_input = [&](const std::string& path) {
    if (!converter) return npy_mel(path, args.mel_bins_first, recipe);
    const ConvertedMel converted = converter->convert(npy_mel(path, args.mel_bins_first, converter->from().audio));
    char how[64] = "exact";
    if (!converted.exact) std::snprintf(how, sizeof how, "fit error %.3f dB", converted.fit_error_db);
    std::printf("%s: %s mels converted to the synthesis recipe (%s)\n", path.c_str(), args.mel_recipe.c_str(), how);
    return converted.mel;
  };
  auto add_file = [&](const std::string& path, bool is_wav) {
    try {
      SynthInput input;
      input.name = fs::path(path).stem().string();
      input.source = path;
      input.mel = is_wav ? extract_features(path, recipe, analysis).mel : npy_input(path);
      input.made_elsewhere = !is_wav;
      inputs.push_back(std::move(input));
    } catch (const UserError& e) {
      report_input_error(e.what(), failures);
    }
  };
  for (const auto& path : args.mels) add_file(path, false);
  for (const auto& path : args.wavs) add_file(path, true);
  load_shards(args, recipe, inputs, failures);
  return inputs;
}

}  // namespace wn::cli
