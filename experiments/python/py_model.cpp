#include "experiments/python/py_model.h"

#include <pybind11/stl.h>

#include <cmath>
#include <optional>

#include "core/errors.h"
#include "dataio/audio_cleaning.h"
#include "dataio/mel_mismatch.h"
#include "experiments/clip_generation.h"
#include "experiments/python/py_convert.h"
#include "nets/model_loading.h"

namespace wn::python {
namespace {

using cli::Clip;

// synthesize()'s keyword arguments; unset ones keep the checkpoint's engine.* setting.
struct EngineKeywords {
  std::optional<int64_t> seed;
  std::optional<int> batch, threads;
  std::optional<std::string> precision;
  py::object fold = py::none();  // a number of pieces or "auto"
  std::optional<double> temperature;
};

class PyModel {
 public:
  // ema: None takes the checkpoint's engine.use_ema, as `synth` does.
  PyModel(const std::string& path, std::optional<bool> ema) : model_(load_model(path, true)) {
    ema_ = ema.value_or(model_.config.engine.use_ema);
    if (!ema_) model_ = load_model(path, false);
  }

  const LoadedModel& loaded() const { return model_; }

  // As `synth` resolves engine settings: the checkpoint's engine.*, then the given keywords,
  // validated as engine.* keys are.
  EngineConfig engine(const EngineKeywords& k) const {
    std::vector<std::string> overrides;
    if (k.seed) overrides.push_back("engine.seed=" + std::to_string(*k.seed));
    if (k.batch) overrides.push_back("engine.batch=" + std::to_string(*k.batch));
    if (k.threads) overrides.push_back("engine.threads=" + std::to_string(*k.threads));
    if (k.precision) overrides.push_back("engine.precision=" + *k.precision);
    if (k.temperature) overrides.push_back("engine.temperature=" + py::str(py::float_(*k.temperature)).cast<std::string>());
    if (!k.fold.is_none()) overrides.push_back("engine.fold=" + std::to_string(fold_number(k.fold)));
    EngineConfig e = cli::engine_with_overrides(model_.config, model_.checkpoint.string(), overrides);
    e.use_ema = ema_;
    return e;
  }

  // label=: a name from the checkpoint's list or a number; required by labelled models.
  int32_t label_id(const py::object& label) const {
    const ModelConfig& m = model_.config.model;
    if (!m.global_conditioning) {
      if (!label.is_none()) throw UserError("label: " + model_.checkpoint.string() + " was not trained with labels");
      return -1;
    }
    const auto known = static_cast<int64_t>(model_.labels.empty() ? m.n_labels : model_.labels.size());
    if (label.is_none()) throw UserError(model_.checkpoint.string() + " is conditioned on a label; pick one with label=");
    if (!py::isinstance<py::str>(label) && !is_integer(label)) throw UserError("label: give a label's name or number");
    if (py::isinstance<py::str>(label)) {
      const std::string name = label.cast<std::string>();
      for (std::size_t i = 0; i < model_.labels.size(); ++i) {
        if (model_.labels[i] == name) return static_cast<int32_t>(i);
      }
      throw UserError("label=" + name + ": not one of the labels " + model_.checkpoint.string() + " was trained with");
    }
    const int64_t id = label.cast<int64_t>();
    if (id < 0 || id >= known) throw UserError("label=" + std::to_string(id) + ": " + model_.checkpoint.string() + " knows labels 0.." + std::to_string(known - 1));
    return static_cast<int32_t>(id);
  }

  // Clips for mel inputs: every one with the run's seed, as `synth` gives its inputs.
  std::vector<Clip> mel_clips(const py::object& mel, const EngineConfig& e, int32_t label) const {
    const AudioConfig& a = model_.config.audio;
    const bool many = is_sequence(mel);
    std::vector<py::object> arrays;
    if (many) {
      for (const auto& item : mel) arrays.push_back(py::reinterpret_borrow<py::object>(item));
    } else {
      arrays.push_back(mel);
    }
    std::vector<Clip> clips;
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      cli::SynthInput input;
      input.name = many ? "mel[" + std::to_string(i) + "]" : "mel";
      input.source = input.name;
      input.mel = float_values(arrays[i], 2, a.n_mels, input.name);
      if (input.mel.empty()) throw UserError(input.name + ": no frames");
      input.label = label;
      const std::string warning = mel_mismatch_warning(input.mel, model_.mel_mean, model_.mel_std, a);
      if (!warning.empty() && PyErr_WarnEx(PyExc_UserWarning, (input.name + ": " + warning).c_str(), 1) < 0) throw py::error_already_set();
      clips.push_back(cli::mel_clip(std::move(input), a, e.seed));
    }
    return clips;
  }

  // Unconditional clips: seeds seed, seed+1, ...; a prime is taken as training saw it and cut
  // to whole frames, as `synth --prime` does.
  std::vector<Clip> free_clips(double seconds, int count, const py::object& prime, int prime_rate, const EngineConfig& e, int32_t label) const {
    const AudioConfig& a = model_.config.audio;
    if (!(seconds > 0)) throw UserError("seconds: give a positive length");
    if (count < 1) throw UserError("count: give at least 1");
    std::vector<float> primed;
    if (!prime.is_none()) primed = cli::prime_samples(features_of(prime, prime_rate, a, "prime"), a, "prime");
    std::vector<Clip> clips = cli::unconditional_clips(primed, seconds, count, e.seed, "sample", prime.is_none() ? "silence" : "prime", a.sample_rate);
    for (Clip& clip : clips) clip.label = label;
    return clips;
  }

  py::object synthesize(const py::object& mel, std::optional<double> seconds, int count, const py::object& label,
                        const py::object& prime, int prime_rate, const EngineKeywords& keywords, bool progress) const {
    const ModelConfig& m = model_.config.model;
    const EngineConfig e = engine(keywords);
    const std::string path = model_.checkpoint.string();
    if (m.local_conditioning && mel.is_none()) throw UserError(path + ": the model is mel-conditioned; give mel=");
    if (!m.local_conditioning && !mel.is_none()) throw UserError(path + ": an unconditional model takes no mel; use seconds=, count= and prime=");
    if (m.local_conditioning && (seconds || count != 1 || !prime.is_none())) throw UserError("seconds, count and prime are for unconditional models; this one takes mel=");
    if (e.fold != 1 && !m.local_conditioning) throw UserError("fold: folding cuts a clip's mel into pieces; " + path + " is not mel-conditioned");
    const int32_t label_index = label_id(label);
    const std::vector<Clip> clips = m.local_conditioning ? mel_clips(mel, e, label_index)
                                                         : free_clips(seconds.value_or(2.0), count, prime, prime_rate, e, label_index);
    std::vector<std::vector<float>> audio(clips.size());
    {
      py::gil_scoped_release unlocked;
      cli::ClipGenerationOptions options;
      options.engine = e;
      options.announce = false;
      options.progress = progress;
      generate_clips(clips, model_, options, [&](const Clip& clip, const std::vector<float>& generated) {
        std::vector<float>& out = audio[static_cast<std::size_t>(&clip - clips.data())];
        out = generated;
        EmphasisUndo(model_.config.audio).apply(out);  // the model's time domain back to plain audio
      });
    }
    const bool many = m.local_conditioning ? is_sequence(mel) : count > 1;
    if (!many) {
      const auto n = static_cast<py::ssize_t>(audio[0].size());  // before the move: argument order is unspecified
      return to_numpy(std::move(audio[0]), {n});
    }
    py::list out;
    for (auto& a : audio) {
      const auto n = static_cast<py::ssize_t>(a.size());
      out.append(to_numpy(std::move(a), {n}));
    }
    return std::move(out);
  }

  py::array_t<float> mel(const py::object& audio, int sample_rate) const { return mel_array(audio, sample_rate, model_.config.audio); }

 private:
  LoadedModel model_;
  bool ema_ = true;
};

}  // namespace

void register_model(py::module_& m) {
  py::class_<PyModel>(m, "Model", "A trained model (any family) with the fast CPU generator of `wavenet synth`.")
      .def_property_readonly("type", [](const PyModel& p) { return p.loaded().config.model.type; }, "model.type: the family")
      .def_property_readonly("checkpoint", [](const PyModel& p) { return p.loaded().checkpoint.string(); })
      .def_property_readonly("step", [](const PyModel& p) { return p.loaded().step; }, "training step of the checkpoint")
      .def_property_readonly("sample_rate", [](const PyModel& p) { return p.loaded().config.audio.sample_rate; })
      .def_property_readonly("hop_length", [](const PyModel& p) { return p.loaded().config.audio.hop_length; })
      .def_property_readonly("n_mels", [](const PyModel& p) { return p.loaded().config.audio.n_mels; })
      .def_property_readonly("conditional", [](const PyModel& p) { return p.loaded().config.model.local_conditioning; },
                             "True: generates from mels; False: unconditionally")
      .def_property_readonly("labels", [](const PyModel& p) { return p.loaded().labels; })
      .def_property_readonly("config", [](const PyModel& p) { return config_to_python(p.loaded().config); }, "the checkpoint's config as dicts")
      .def("__repr__", [](const PyModel& p) {
        const LoadedModel& l = p.loaded();
        return "<wavenet.Model " + l.config.model.type + " step " + std::to_string(l.step) + " of " + l.checkpoint.string() + ": " + l.model->describe() + ">";
      })
      .def("mel", &PyModel::mel, py::arg("audio"), py::arg("sample_rate") = 0,
           "The model's log-mel of audio (resampled from sample_rate, cleaned as its recipe says), (frames, n_mels) float32.")
      .def("synthesize",
           [](const PyModel& p, const py::object& mel, std::optional<double> seconds, int count, const py::object& label,
              const py::object& prime, int prime_rate, std::optional<int64_t> seed, std::optional<int> batch, std::optional<int> threads,
              std::optional<std::string> precision, const py::object& fold, std::optional<double> temperature, bool progress) {
             EngineKeywords k{seed, batch, threads, precision, fold, temperature};
             return p.synthesize(mel, seconds, count, label, prime, prime_rate, k, progress);
           },
           py::arg("mel") = py::none(), py::arg("seconds") = py::none(), py::arg("count") = 1, py::arg("label") = py::none(),
           py::arg("prime") = py::none(), py::arg("prime_sample_rate") = 0, py::arg("seed") = py::none(), py::arg("batch") = py::none(),
           py::arg("threads") = py::none(), py::arg("precision") = py::none(), py::arg("fold") = py::none(),
           py::arg("temperature") = py::none(), py::arg("progress") = false,
           "Generate audio as `wavenet synth` does with the same settings (unset ones: the checkpoint's engine.*).\n"
           "mel: a (frames, n_mels) array, or a list of them (generated together, batch at a time) -> a float32 array,\n"
           "or a list of arrays. Unconditional models: seconds (default 2), count (> 1 returns a list), prime audio.\n"
           "fold: pieces a clip is cut into and generated as a batch, or 'auto'; label: a name or number.");
  m.def("load", [](const py::object& path, std::optional<bool> ema) { return PyModel(path_text(path), ema); }, py::arg("path"),
        py::arg("ema") = py::none(),
        "A checkpoint file or a run directory (its latest checkpoint), any family. ema: True for the weights' moving\n"
        "average, False for the raw weights, None (default) as the checkpoint's engine.use_ema says.");
}

}  // namespace wn::python
