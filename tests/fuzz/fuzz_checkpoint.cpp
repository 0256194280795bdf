// Checkpoints as `synth`, `bench` and a resumed `train` read them. The first byte picks one of two
// kinds of input: raw bytes of a checkpoint file (truncated or altered zip archives, which the
// archive check must stop before LibTorch's unpickler sees them), or edits to a real checkpoint
// written with valid checksums (missing or renamed entries, entries of the wrong type, tensors of
// the wrong shape or dtype, NaN weights, another model's config), which the loaders must refuse.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "nets/model_loading.h"
#include "nets/model_registry.h"
#include "nets/training/adam.h"
#include "nets/training/ema.h"
#include "nets/training/train_state.h"
#include "tests/fuzz/fuzz_bytes.h"
#include "tests/fuzz/fuzz_rule.h"

namespace {

namespace fs = std::filesystem;

// A small WaveNet, its optimizer and average, and a checkpoint of them: the edits' starting point.
struct Base {
  wn::Config config;
  std::unique_ptr<wn::Model> model;
  std::unique_ptr<wn::Adam> adam;
  std::unique_ptr<wn::WeightAverage> ema;
  c10::impl::GenericDict dict{c10::StringType::get(), c10::AnyType::get()};

  Base() {
    config = wn::resolve_config(std::nullopt, {"audio.hop_length=16", "audio.n_mels=4", "audio.n_fft=64",
                                               "audio.win_length=64", "audio.fmax=4000", "audio.sample_rate=8000",
                                               "model.layers=2", "model.stacks=1", "model.residual_channels=4",
                                               "model.gate_channels=8", "model.skip_channels=4",
                                               "model.upsample_scales=4,4", "model.quantize_channels=16"});
    model = wn::build_model(config, 2);
    const auto parameters = wn::named_state(model->module());
    adam = std::make_unique<wn::Adam>(parameters, wn::AdamSettings{});
    ema = std::make_unique<wn::WeightAverage>(parameters, 0.9);
    wn::TrainState state;
    state.step = 3;
    state.config_yaml = wn::config_to_yaml(config);
    state.labels = {"a", "b"};
    state.mel_mean.assign(4, -1.0);
    state.mel_std.assign(4, 2.0);
    const fs::path path = wn::fuzz::scratch_dir() / "base.pt";
    wn::save_training_checkpoint(path, model->module(), *adam, *ema, state);
    dict = wn::load_checkpoint_file(path);
    (void)dict.erase("checksums");  // written afresh by every save
  }
};

Base& base() {
  static Base b;
  return b;
}

c10::IValue random_value(wn::fuzz::FuzzBytes& p) {
  switch (p.int_in(0, 4)) {
    case 0: return p.any<int64_t>();
    case 1: return p.text(16);
    case 2: return torch::full({p.int_in<int64_t>(0, 5)}, p.real<float>());
    case 3: {
      c10::List<std::string> list;
      list.push_back(p.text(8));
      return list;
    }
    default: return c10::IValue(p.real<double>());
  }
}

// One edit of a {name: tensor} entry (model, ema, optimizer).
c10::impl::GenericDict edit_tensors(const c10::impl::GenericDict& tensors, wn::fuzz::FuzzBytes& p) {
  c10::impl::GenericDict out = tensors.copy();
  if (out.size() == 0) return out;
  auto it = out.begin();
  for (auto skip = p.int_in<std::size_t>(0, out.size() - 1); skip > 0; --skip) ++it;
  const std::string name = it->key().toStringRef();
  if (!it->value().isTensor()) {  // an earlier edit put something else here
    out.insert_or_assign(name, torch::zeros({1}));
    return out;
  }
  const at::Tensor t = it->value().toTensor();
  switch (p.int_in(0, 5)) {
    case 0: (void)out.erase(name); break;
    case 1: out.insert_or_assign(name, t.reshape({-1}).clone()); break;
    case 2: out.insert_or_assign(name, t.numel() > 1 ? t.reshape({-1}).slice(0, 1).clone() : torch::zeros({2})); break;
    case 3: {
      at::Tensor damaged = t.clone();
      if (damaged.numel() > 0) damaged.reshape({-1})[0] = p.flag() ? std::numeric_limits<float>::quiet_NaN()
                                                                        : std::numeric_limits<float>::infinity();
      out.insert_or_assign(name, damaged);
      break;
    }
    case 4: out.insert_or_assign(name, t.to(torch::kInt64)); break;
    default: {
      (void)out.erase(name);
      out.insert(name + p.text(4), t);
      break;
    }
  }
  return out;
}

c10::impl::GenericDict edited_checkpoint(wn::fuzz::FuzzBytes& p) {
  c10::impl::GenericDict dict = base().dict.copy();
  static const std::vector<std::string> kOtherModels = {"model.layers=3", "model.residual_channels=6",
                                                        "model.output=mol", "audio.n_mels=5",
                                                        "model.type=samplernn", "model.global_conditioning=false"};
  for (int edits = p.int_in(1, 3); edits > 0 && p.remaining() > 0; --edits) {
    std::vector<std::string> keys;
    for (const auto& entry : dict) keys.push_back(entry.key().toStringRef());
    const std::string key = keys[p.int_in<std::size_t>(0, keys.size() - 1)];
    const int kind = p.int_in(0, 3);
    if (kind == 0) {
      (void)dict.erase(key);
    } else if (kind == 1) {
      dict.insert_or_assign(key, random_value(p));
    } else if (kind == 2 && dict.at(key).isGenericDict()) {
      dict.insert_or_assign(key, edit_tensors(dict.at(key).toGenericDict(), p));
    } else {
      const std::string override = kOtherModels[p.int_in<std::size_t>(0, kOtherModels.size() - 1)];
      try {
        dict.insert_or_assign("config", wn::config_to_yaml(wn::config_from_yaml(
                                            dict.at("config").toStringRef(), "base", {override})));
      } catch (const std::exception&) {
        // the override does not apply to this config (e.g. after an earlier edit): skip it
      }
    }
  }
  return dict;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Base& b = base();
  const fs::path path = wn::fuzz::scratch_dir() / "checkpoint.pt";
  const bool use_ema = data[0] & 2;
  if ((data[0] & 1) == 0) {
    wn::fuzz::write_bytes(path, reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    wn::fuzz::FuzzBytes p(data + 1, size - 1);
    wn::save_checkpoint_file(path, edited_checkpoint(p));
  }
  wn::fuzz::expect_clean_outcome([&] { wn::load_model(path, use_ema); });
  wn::fuzz::expect_clean_outcome([&] { wn::load_training_checkpoint(path, b.model->module(), *b.adam, *b.ema); });
  return 0;
}
