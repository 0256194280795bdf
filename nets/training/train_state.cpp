#include "nets/training/train_state.h"

#include <map>

#include "core/checkpoint.h"
#include "core/errors.h"

namespace wn {
namespace {

std::vector<std::pair<std::string, torch::Tensor>> dict_tensors(const c10::impl::GenericDict& dict) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& entry : dict) out.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
  return out;
}

c10::IValue at_key(const c10::impl::GenericDict& dict, const std::string& key, const std::filesystem::path& path) {
  if (!dict.contains(key)) throw UserError(path.string() + ": checkpoint has no '" + key + "' entry");
  return dict.at(key);
}

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> named_state(torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : module.named_parameters()) out.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers()) out.emplace_back(item.key(), item.value());
  return out;
}

void load_named_state(torch::nn::Module& module, const std::vector<std::pair<std::string, torch::Tensor>>& weights,
                      const std::string& origin) {
  const std::map<std::string, torch::Tensor> by_name(weights.begin(), weights.end());
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : named_state(module)) {
    const auto it = by_name.find(name);
    if (it == by_name.end()) throw UserError(origin + ": no weights for '" + name + "' (a different model?)");
    if (!it->second.sizes().equals(target.sizes())) {
      throw UserError(origin + ": '" + name + "' has shape " + c10::str(it->second.sizes()) + ", the model expects " +
                      c10::str(target.sizes()));
    }
    target.copy_(it->second);
  }
}

void save_training_checkpoint(const std::filesystem::path& path, torch::nn::Module& module, const Adam& adam,
                              const WeightAverage& ema, const TrainState& state) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("model", tensors_to_dict(named_state(module)));
  dict.insert("ema", tensors_to_dict(ema.averages()));
  dict.insert("optimizer", tensors_to_dict(adam.state()));
  dict.insert("step", state.step);
  dict.insert("optimizer_steps", adam.steps());
  dict.insert("ema_updates", ema.updates());
  dict.insert("loader_position", state.loader_position);
  dict.insert("rng", at::detail::getDefaultCPUGenerator().get_state());
  dict.insert("config", state.config_yaml);
  c10::List<std::string> labels;
  for (const auto& l : state.labels) labels.push_back(l);
  dict.insert("labels", labels);
  dict.insert("mel_mean", torch::tensor(state.mel_mean, torch::kDouble));
  dict.insert("mel_std", torch::tensor(state.mel_std, torch::kDouble));
  dict.insert("model_type", state.model_type);
  if (!state.carried.empty()) {
    dict.insert("carried_state", tensors_to_dict(state.carried));
    dict.insert("carried_world", static_cast<int64_t>(state.carried_world));
  }
  save_checkpoint_file(path, dict);
}

TrainState load_training_checkpoint(const std::filesystem::path& path, torch::nn::Module& module, Adam& adam,
                                    WeightAverage& ema) {
  const c10::impl::GenericDict dict = load_checkpoint_file(path);
  load_named_state(module, dict_tensors(at_key(dict, "model", path).toGenericDict()), path.string());
  try {
    adam.load_state(dict_tensors(at_key(dict, "optimizer", path).toGenericDict()),
                    at_key(dict, "optimizer_steps", path).toInt());
    ema.load(dict_tensors(at_key(dict, "ema", path).toGenericDict()), at_key(dict, "ema_updates", path).toInt());
  } catch (const std::invalid_argument& e) {
    throw UserError(path.string() + ": " + e.what());
  }
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  generator.set_state(at_key(dict, "rng", path).toTensor());
  TrainState state;
  state.step = at_key(dict, "step", path).toInt();
  state.loader_position = at_key(dict, "loader_position", path).toInt();
  state.config_yaml = at_key(dict, "config", path).toStringRef();
  for (const auto& l : at_key(dict, "labels", path).toList()) state.labels.push_back(static_cast<c10::IValue>(l).toStringRef());
  if (dict.contains("carried_state")) {
    state.carried = dict_tensors(dict.at("carried_state").toGenericDict());
    state.carried_world = static_cast<int>(at_key(dict, "carried_world", path).toInt());
  }
  return state;
}

CheckpointWeights read_checkpoint_weights(const std::filesystem::path& path, bool use_ema) {
  const c10::impl::GenericDict dict = load_checkpoint_file(path);
  CheckpointWeights w;
  w.config_yaml = at_key(dict, "config", path).toStringRef();
  w.step = at_key(dict, "step", path).toInt();
  for (const auto& l : at_key(dict, "labels", path).toList()) w.labels.push_back(static_cast<c10::IValue>(l).toStringRef());
  for (auto [key, values] : {std::pair{"mel_mean", &w.mel_mean}, std::pair{"mel_std", &w.mel_std}}) {
    if (!dict.contains(key)) continue;
    const torch::Tensor t = dict.at(key).toTensor().to(torch::kDouble).contiguous();
    values->assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  }
  // EMA holds parameters only; buffers (none today) would come from the raw model.
  w.weights = dict_tensors(at_key(dict, use_ema ? "ema" : "model", path).toGenericDict());
  return w;
}

}  // namespace wn
