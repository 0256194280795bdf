#include "nets/interop/r9y9_import.h"

#include <torch/torch.h>

#include <cstdlib>
#include <map>
#include <regex>

#include "core/atomic_file.h"
#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/run_program.h"
#include "dataio/npy.h"
#include "interop/torch_checkpoint_reader_script.h"
#include "nets/model_registry.h"
#include "nets/training/train_state.h"

namespace wn {
namespace fs = std::filesystem;

std::string python_with_torch() {
  const char* chosen = std::getenv("WAVENET_PYTHON");
  return chosen && *chosen ? chosen : WAVENET_PYTHON;
}

namespace {

// torch.nn.utils.weight_norm with dim 0: g * v / ||v||, the norm over every dimension but the first.
torch::Tensor fold_weight_norm(const torch::Tensor& g, const torch::Tensor& v) {
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < v.dim(); ++d) dims.push_back(d);
  return g * v / v.norm(2, dims, /*keepdim=*/true);
}

// Our name for an r9y9 key, "" when the key feeds nothing, or nullopt when it has no rule.
struct NameRule {
  std::regex pattern;
  std::string replacement;
};

const std::vector<NameRule>& name_rules() {
  static const std::vector<NameRule> rules = {
      {std::regex(R"(first_conv\.(weight_g|weight_v|bias))"), "first.$1"},
      {std::regex(R"(conv_layers\.(\d+)\.conv\.(weight_g|weight_v|bias))"), "blocks_$1.dilated.$2"},
      {std::regex(R"(conv_layers\.(\d+)\.conv1x1c\.(weight_g|weight_v))"), "blocks_$1.local_projection.$2"},
      {std::regex(R"(conv_layers\.(\d+)\.conv1x1g\.(weight_g|weight_v))"), "blocks_$1.global_projection.$2"},
      {std::regex(R"(conv_layers\.(\d+)\.conv1x1_skip\.(weight_g|weight_v|bias))"), "blocks_$1.skip.$2"},
      {std::regex(R"(conv_layers\.(\d+)\.conv1x1_out\.(weight_g|weight_v|bias))"), "blocks_$1.residual.$2"},
      {std::regex(R"(last_conv_layers\.1\.(weight_g|weight_v|bias))"), "post_skip.$1"},
      {std::regex(R"(last_conv_layers\.3\.(weight_g|weight_v|bias))"), "post_output.$1"},
      {std::regex(R"(embed_speakers\.weight)"), "label_embedding.weight"},
      {std::regex(R"(upsample_net\.conv_in\.weight)"), "upsampler.input_conv.weight"},
  };
  return rules;
}

// The upsampler's smoothing convs: up_layers holds (stretch, conv) pairs (no activation: refused
// with the hparams), so conv k sits at index 2k + 1.
const std::regex kUpsampleConv(R"(upsample_net\.(?:upsample\.)?up_layers\.(\d+)\.(weight_g|weight_v|weight))");

}  // namespace

NamedTensors wavenet_weights_from_r9y9(const NamedTensors& state, const Config& config, const std::string& origin,
                                       std::vector<std::string>* dropped) {
  const int last_layer = config.model.layers - 1;
  std::map<std::string, torch::Tensor> ours;
  std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> upsample_pairs;  // our name -> (g, v)
  std::map<std::string, std::string> source_of;                                     // our name -> r9y9 key
  for (const auto& [key, tensor] : state) {
    std::smatch match;
    if (std::regex_match(key, match, kUpsampleConv)) {
      const int index = std::stoi(match[1]);
      if (index % 2 != 1) throw UserError(origin + ": " + key + ": a stretch layer holds no weights in r9y9's upsampler");
      const std::string name = "upsampler.upsample_" + std::to_string(index / 2) + ".weight";
      source_of[name] = key;
      if (match[2] == "weight") {
        ours[name] = tensor;
      } else {
        (match[2] == "weight_g" ? upsample_pairs[name].first : upsample_pairs[name].second) = tensor;
      }
      continue;
    }
    std::string name;
    for (const NameRule& rule : name_rules()) {
      if (std::regex_match(key, rule.pattern)) {
        name = std::regex_replace(key, rule.pattern, rule.replacement);
        break;
      }
    }
    if (name.empty()) throw UserError(origin + ": " + key + ": not a weight of r9y9's WaveNet that the import knows");
    // r9y9's last layer computes a residual output that nothing reads; ours has no such conv.
    if (name.rfind("blocks_" + std::to_string(last_layer) + ".residual.", 0) == 0) {
      if (dropped) dropped->push_back(key);
      continue;
    }
    if (ours.count(name)) throw UserError(origin + ": " + key + ": given twice");
    ours[name] = tensor;
    source_of[name] = key;
  }
  for (const auto& [name, pair] : upsample_pairs) {
    if (!pair.first.defined() || !pair.second.defined()) {
      throw UserError(origin + ": " + source_of[name] + ": a weight-norm half without its other half");
    }
    if (ours.count(name)) throw UserError(origin + ": " + source_of[name] + ": both a plain and a weight-normed kernel");
    ours[name] = fold_weight_norm(pair.first, pair.second);
  }

  // r9y9's UpsampleNetwork has no input conv: ours is then the identity over one frame.
  const bool local = config.model.local_conditioning;
  if (local && !ours.count("upsampler.input_conv.weight") && config.model.cond_kernel_size == 1) {
    ours["upsampler.input_conv.weight"] = torch::eye(config.audio.n_mels).unsqueeze(-1);
    source_of["upsampler.input_conv.weight"] = "(identity: the checkpoint's upsampler has no conv_in)";
  }

  // Every weight of the model, each from the checkpoint with its shape; nothing left over.
  const std::unique_ptr<Model> model = build_model(config, config.model.n_labels);
  NamedTensors mapped;
  for (const auto& [name, target] : named_state(model->module())) {
    const auto it = ours.find(name);
    if (it == ours.end()) {
      throw UserError(origin + ": holds no weights for " + name + " of a WaveNet with these hparams (another model or other hparams?)");
    }
    if (!it->second.sizes().equals(target.sizes())) {
      throw UserError(origin + ": " + source_of[name] + ": shape " + c10::str(it->second.sizes()) + ", the hparams make " +
                      c10::str(target.sizes()));
    }
    mapped.emplace_back(name, it->second.to(torch::kFloat));
    ours.erase(it);
  }
  if (!ours.empty()) {
    const std::string& name = ours.begin()->first;
    throw UserError(origin + ": " + source_of[name] + ": has no place in a WaveNet with these hparams (" +
                    std::to_string(config.model.layers) + " layers; more layers, or conditioning the hparams do not have?)");
  }
  return mapped;
}

// Python's torch reads the file; we read its plain copy.
TorchCheckpoint read_torch_checkpoint(const fs::path& path) {
  if (!fs::exists(path)) throw UserError(path.string() + ": checkpoint not found");
  const fs::path plain = fs::temp_directory_path() / ("wavenet_import_" + std::to_string(::getpid()) + ".pt");
  const ProgramOutcome outcome =
      run_program({python_with_torch(), "-c", kTorchCheckpointReaderScript, path.string(), plain.string()});
  if (outcome.exit_code != 0) {
    fs::remove(plain);
    const std::string why = outcome.last_error_line();
    throw UserError(why.empty() ? path.string() + ": reading it with " + python_with_torch() + " failed (exit " +
                                      std::to_string(outcome.exit_code) + ")"
                                : why);
  }
  TorchCheckpoint checkpoint;
  try {
    const c10::impl::GenericDict dict = load_checkpoint_file(plain);
    fs::remove(plain);
    for (const auto& entry : dict.at("state_dict").toGenericDict()) {
      checkpoint.state.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
    }
    checkpoint.step = dict.at("global_step").toInt();
  } catch (const c10::Error&) {
    fs::remove(plain);
    throw UserError(path.string() + ": its weights did not come through the reader as a dict of tensors");
  }
  return checkpoint;
}

namespace {

std::pair<std::vector<double>, std::vector<double>> read_meanvar(const fs::path& path, int n_mels) {
  const NpyArray a = read_npy(path);  // throws IoError naming it
  if (a.shape.size() != 2 || a.shape[0] != 2 || a.shape[1] != n_mels) {
    throw UserError(path.string() + ": the mel normaliser must be (2, " + std::to_string(n_mels) + "): mean row, scale row");
  }
  std::vector<double> mean(a.data.begin(), a.data.begin() + n_mels), scale(a.data.begin() + n_mels, a.data.end());
  for (double s : scale) {
    if (!(s > 0)) throw UserError(path.string() + ": the scale row must be positive");
  }
  return {mean, scale};
}

}  // namespace

R9y9ImportReport import_r9y9(const R9y9ImportOptions& options) {
  const R9y9Hparams hparams = read_r9y9_hparams(options.hparams);
  const bool normalized = !options.meanvar.empty();
  const Config config = config_for_r9y9(hparams, normalized);
  TrainState state;
  if (normalized) std::tie(state.mel_mean, state.mel_std) = read_meanvar(options.meanvar, config.audio.n_mels);

  const TorchCheckpoint checkpoint = read_torch_checkpoint(options.checkpoint);
  R9y9ImportReport report;
  const NamedTensors weights = wavenet_weights_from_r9y9(checkpoint.state, config, options.checkpoint.string(), &report.dropped);
  report.step = checkpoint.step;
  report.tensors = static_cast<int64_t>(checkpoint.state.size());

  const std::unique_ptr<Model> model = build_model(config, config.model.n_labels);
  torch::nn::Module& module = model->module();
  load_named_state(module, weights, options.checkpoint.string());
  report.model = model->describe();

  std::vector<std::pair<std::string, torch::Tensor>> parameters;
  for (const auto& p : module.named_parameters()) parameters.emplace_back(p.key(), p.value());
  const Adam adam(parameters, AdamSettings{});
  const WeightAverage ema(named_state(module), config.train.ema_decay);  // the imported weights
  state.step = checkpoint.step;
  state.config_yaml = config_to_yaml(config);
  state.model_type = config.model.type;
  for (int s = 0; s < config.model.n_labels; ++s) state.labels.push_back(std::to_string(s));
  if (options.out.has_parent_path()) fs::create_directories(options.out.parent_path());
  save_training_checkpoint(options.out, module, adam, ema, state);
  // The config beside it, for preprocessing a corpus as r9y9 did and for fine-tuning (--config).
  report.config = fs::path(options.out).replace_extension(".yaml");
  write_file_atomically(report.config, config_to_yaml(config, /*with_comments=*/true));
  return report;
}

}  // namespace wn
