#include "nets/training/train_state.h"

#include <cmath>
#include <map>

#include "core/checkpoint.h"
#include "core/errors.h"

namespace wn {
namespace {

// Typed reads of checkpoint entries: a missing entry or one of the wrong type (a damaged or
// foreign file) is a UserError naming the file and the entry, never LibTorch's internal error.
c10::IValue at_key(const c10::impl::GenericDict& dict, const std::string& key, const std::filesystem::path& path) {
  if (!dict.contains(key)) throw UserError(path.string() + ": checkpoint has no '" + key + "' entry");
  return dict.at(key);
}

[[noreturn]] void wrong_type(const std::string& key, const char* expected, const std::filesystem::path& path) {
  throw UserError(path.string() + ": checkpoint entry '" + key + "' is not " + expected);
}

int64_t int_at(const c10::impl::GenericDict& dict, const std::string& key, const std::filesystem::path& path) {
  const c10::IValue value = at_key(dict, key, path);
  if (!value.isInt()) wrong_type(key, "an integer", path);
  return value.toInt();
}

std::string string_at(const c10::impl::GenericDict& dict, const std::string& key, const std::filesystem::path& path) {
  const c10::IValue value = at_key(dict, key, path);
  if (!value.isString()) wrong_type(key, "a string", path);
  return value.toStringRef();
}

torch::Tensor tensor_at(const c10::impl::GenericDict& dict, const std::string& key, const std::filesystem::path& path) {
  const c10::IValue value = at_key(dict, key, path);
  if (!value.isTensor()) wrong_type(key, "a tensor", path);
  return value.toTensor();
}

std::vector<std::string> strings_at(const c10::impl::GenericDict& dict, const std::string& key,
                                    const std::filesystem::path& path) {
  const c10::IValue value = at_key(dict, key, path);
  if (!value.isList()) wrong_type(key, "a list of strings", path);
  std::vector<std::string> out;
  for (const c10::IValue& item : value.toListRef()) {
    if (!item.isString()) wrong_type(key, "a list of strings", path);
    out.push_back(item.toStringRef());
  }
  return out;
}

TargetStats target_at(const c10::impl::GenericDict& dict, const std::filesystem::path& path) {
  const c10::IValue value = at_key(dict, "target", path);
  if (!value.isGenericDict()) wrong_type("target", "a dict of kind, mean and std", path);
  const c10::impl::GenericDict entries = value.toGenericDict();
  TargetStats target;
  target.kind = string_at(entries, "kind", path);
  for (auto [key, field] : {std::pair{"mean", &target.mean}, std::pair{"std", &target.std}}) {
    const c10::IValue number = at_key(entries, key, path);
    if (!number.isDouble() || !std::isfinite(number.toDouble())) wrong_type(std::string("target/") + key, "a finite number", path);
    *field = number.toDouble();
  }
  if (!(target.std > 0)) wrong_type("target/std", "a positive number", path);
  return target;
}

// {name: tensor} entries (model, ema, optimizer, carried_state).
std::vector<std::pair<std::string, torch::Tensor>> tensors_at(const c10::impl::GenericDict& dict, const std::string& key,
                                                              const std::filesystem::path& path) {
  const c10::IValue value = at_key(dict, key, path);
  if (!value.isGenericDict()) wrong_type(key, "a dict of tensors", path);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isTensor()) wrong_type(key, "a dict of tensors", path);
    out.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
  }
  return out;
}

torch::Device device_of(torch::nn::Module& module) {
  const auto parameters = module.parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
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
    if (!it->second.is_floating_point() && it->second.scalar_type() != target.scalar_type()) {
      throw UserError(origin + ": '" + name + "' holds " + std::string(c10::toString(it->second.scalar_type())) +
                      ", the model expects " + c10::toString(target.scalar_type()));
    }
    if (it->second.is_floating_point() && !torch::isfinite(it->second).all().item<bool>()) {
      throw UserError(origin + ": '" + name + "' holds NaN or Inf (the run diverged before this checkpoint?)");
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
  // Dropout and any random op on a GPU draw from that device's generator: its state too.
  const torch::Device device = device_of(module);
  if (device.is_cuda()) dict.insert("rng_device", at::globalContext().defaultGenerator(device).get_state());
  dict.insert("config", state.config_yaml);
  c10::List<std::string> labels;
  for (const auto& l : state.labels) labels.push_back(l);
  dict.insert("labels", labels);
  dict.insert("mel_mean", torch::tensor(state.mel_mean, torch::kDouble));
  dict.insert("mel_std", torch::tensor(state.mel_std, torch::kDouble));
  dict.insert("model_type", state.model_type);
  c10::impl::GenericDict target(c10::StringType::get(), c10::AnyType::get());
  target.insert("kind", state.target.kind);
  target.insert("mean", state.target.mean);
  target.insert("std", state.target.std);
  dict.insert("target", target);
  if (!state.carried.empty()) {
    dict.insert("carried_state", tensors_to_dict(state.carried));
    dict.insert("carried_world", static_cast<int64_t>(state.carried_world));
  }
  save_checkpoint_file(path, dict);
}

TrainState load_training_checkpoint(const std::filesystem::path& path, torch::nn::Module& module, Adam& adam,
                                    WeightAverage& ema) {
  const c10::impl::GenericDict dict = load_checkpoint_file(path);
  load_named_state(module, tensors_at(dict, "model", path), path.string());
  try {
    adam.load_state(tensors_at(dict, "optimizer", path), int_at(dict, "optimizer_steps", path));
    ema.load(tensors_at(dict, "ema", path), int_at(dict, "ema_updates", path));
  } catch (const std::invalid_argument& e) {
    throw UserError(path.string() + ": " + e.what());
  }
  try {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(tensor_at(dict, "rng", path));
  } catch (const c10::Error&) {
    throw UserError(path.string() + ": checkpoint entry 'rng' is not a random generator state");
  }
  // A run saved on a GPU and resumed on a GPU continues its device stream; across device types
  // (a CPU checkpoint resumed on a GPU, or the reverse) the device generator keeps its seed.
  const torch::Device device = device_of(module);
  if (device.is_cuda() && dict.contains("rng_device")) {
    try {
      at::Generator generator = at::globalContext().defaultGenerator(device);
      generator.set_state(tensor_at(dict, "rng_device", path));
    } catch (const c10::Error&) {
      throw UserError(path.string() + ": checkpoint entry 'rng_device' is not a random generator state of " + device.str());
    }
  }
  TrainState state;
  state.step = int_at(dict, "step", path);
  state.loader_position = int_at(dict, "loader_position", path);
  state.config_yaml = string_at(dict, "config", path);
  state.labels = strings_at(dict, "labels", path);
  if (dict.contains("carried_state")) {
    state.carried = tensors_at(dict, "carried_state", path);
    state.carried_world = static_cast<int>(int_at(dict, "carried_world", path));
  }
  return state;
}

CheckpointWeights read_checkpoint_weights(const std::filesystem::path& path, bool use_ema) {
  const c10::impl::GenericDict dict = load_checkpoint_file(path);
  CheckpointWeights w;
  w.config_yaml = string_at(dict, "config", path);
  w.step = int_at(dict, "step", path);
  w.labels = strings_at(dict, "labels", path);
  for (auto [key, values] : {std::pair{"mel_mean", &w.mel_mean}, std::pair{"mel_std", &w.mel_std}}) {
    if (!dict.contains(key)) continue;
    const torch::Tensor t = tensor_at(dict, key, path).to(torch::kDouble).contiguous();
    if (t.dim() != 1 || !torch::isfinite(t).all().item<bool>()) wrong_type(key, "a finite vector", path);
    values->assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  }
  if (dict.contains("target")) w.target = target_at(dict, path);
  // EMA holds parameters only; buffers (none today) would come from the raw model.
  w.weights = tensors_at(dict, use_ema ? "ema" : "model", path);
  return w;
}

}  // namespace wn
