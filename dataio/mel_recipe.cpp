#include "dataio/mel_recipe.h"

#include "core/errors.h"
#include "dataio/npy.h"

namespace wn {
namespace {

AudioConfig ljspeech_mel(double fmin, double fmax, const std::string& compression, double floor) {
  AudioConfig a;
  a.sample_rate = 22050;
  a.n_fft = 1024;
  a.win_length = 1024;
  a.hop_length = 256;
  a.n_mels = 80;
  a.fmin = fmin;
  a.fmax = fmax;
  a.power = 1;
  a.compression = compression;
  a.log_floor = floor;
  return a;
}

}  // namespace

std::string mel_recipe_names() { return "r9y9, tacotron2, espnet"; }

bool names_mel_recipe(const std::string& spec) {
  const std::string name = spec.substr(0, spec.find(':'));
  return name == "r9y9" || name == "tacotron2" || name == "espnet";
}

MelRecipe named_mel_recipe(const std::string& name) {
  if (!names_mel_recipe(name) || name.find(':') != std::string::npos) {
    throw UserError("unknown mel recipe '" + name + "': one of " + mel_recipe_names() + " (NAME:MEANVAR.npy adds its normaliser)");
  }
  if (name == "r9y9") return {name, ljspeech_mel(125.0, 7600.0, "log10", 1e-10), {}, {}};
  if (name == "tacotron2") return {name, ljspeech_mel(0.0, 8000.0, "ln", 1e-5), {}, {}};
  return {name, ljspeech_mel(80.0, 7600.0, "log10", 1e-10), {}, {}};  // espnet
}

MelRecipe mel_recipe_from_spec(const std::string& spec) {
  const std::size_t colon = spec.find(':');
  MelRecipe recipe = named_mel_recipe(spec.substr(0, colon));
  if (colon == std::string::npos) return recipe;
  const std::filesystem::path path = spec.substr(colon + 1);
  const NpyArray a = read_npy(path);  // throws IoError naming it
  const int n_mels = recipe.audio.n_mels;
  if (a.shape.size() != 2 || a.shape[0] != 2 || a.shape[1] != n_mels) {
    throw UserError(path.string() + ": a mel normaliser must be (2, " + std::to_string(n_mels) + "): mean row, scale row");
  }
  recipe.mean.assign(a.data.begin(), a.data.begin() + n_mels);
  recipe.scale.assign(a.data.begin() + n_mels, a.data.end());
  for (double s : recipe.scale) {
    if (!(s > 0)) throw UserError(path.string() + ": the scale row must be positive");
  }
  recipe.name = spec;
  return recipe;
}

MelRecipe mel_recipe_of(const std::string& name, const AudioConfig& audio) { return {name, audio, {}, {}}; }

}  // namespace wn
