#include "experiments/python/py_shards.h"

#include <pybind11/stl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "core/errors.h"
#include "dataio/manifest.h"
#include "dataio/shard_reader.h"
#include "experiments/python/py_convert.h"

namespace wn::python {
namespace {

namespace fs = std::filesystem;

// The shard files of a split from the manifest, or every .h5 file of a directory without one.
std::vector<fs::path> shard_files(const fs::path& dir, const std::string& split, std::vector<std::string>& labels) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir.string() + ": not a directory of shards");
  std::vector<fs::path> files;
  if (fs::exists(dir / Manifest::kFileName)) {
    const Manifest manifest = read_manifest(dir);
    labels = manifest.labels;
    if (split != "train" && split != "valid" && split != "all") throw UserError("split=" + split + ": give train, valid or all");
    if (split != "valid") {
      for (const ShardEntry& e : manifest.train_shards) files.push_back(dir / e.file);
    }
    if (split != "train") {
      for (const ShardEntry& e : manifest.valid_shards) files.push_back(dir / e.file);
    }
    return files;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".h5") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw IoError(dir.string() + ": no manifest.yaml and no .h5 shards");
  return files;
}

class PyShards {
 public:
  PyShards(const std::string& dir, const std::string& split) : dir_(dir), split_(split) {
    files_ = shard_files(dir, split, labels_);
    open();
    starts_.push_back(0);
    for (const auto& r : readers_) starts_.push_back(starts_.back() + static_cast<int64_t>(r->size()));
  }

  int64_t size() const { return starts_.back(); }

  py::dict item(int64_t index) {
    if (index < 0) index += size();
    if (index < 0 || index >= size()) throw py::index_error("utterance " + std::to_string(index) + " of " + std::to_string(size()));
    if (pid_ != getpid()) open();  // a DataLoader worker: HDF5 handles do not cross fork()
    const auto shard = static_cast<std::size_t>(std::upper_bound(starts_.begin(), starts_.end(), index) - starts_.begin() - 1);
    const ShardReader& reader = *readers_[shard];
    ShardUtterance u = reader.read_utterance(static_cast<std::size_t>(index - starts_[shard]));
    const int n_mels = reader.attributes().n_mels;
    py::dict d;
    d["name"] = u.name;
    d["shard"] = reader.path().string();
    d["sample_rate"] = reader.attributes().sample_rate;
    d["label"] = u.label;
    if (u.label >= 0 && static_cast<std::size_t>(u.label) < labels_.size()) d["label_name"] = labels_[static_cast<std::size_t>(u.label)];
    if (reader.attributes().has_targets) d["target"] = u.target;
    const auto samples = static_cast<py::ssize_t>(u.audio.size());
    const auto frames = static_cast<py::ssize_t>(u.mel.size() / static_cast<std::size_t>(n_mels));
    d["audio"] = to_numpy(std::move(u.audio), {samples});
    d["mel"] = to_numpy(std::move(u.mel), {frames, n_mels});
    return d;
  }

  const std::string& dir() const { return dir_; }
  const std::string& split() const { return split_; }
  const std::vector<std::string>& labels() const { return labels_; }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& f : files_) out.push_back(f.string());
    return out;
  }

 private:
  void open() {
    readers_.clear();
    for (const auto& f : files_) readers_.push_back(std::make_unique<ShardReader>(f));
    pid_ = getpid();
  }

  std::string dir_, split_;
  std::vector<fs::path> files_;
  std::vector<std::string> labels_;
  std::vector<std::unique_ptr<ShardReader>> readers_;
  std::vector<int64_t> starts_;  // first utterance index of each shard, then the total
  pid_t pid_ = 0;
};

}  // namespace

void register_shards(py::module_& m) {
  py::class_<PyShards>(m, "Shards",
                       "A preprocessed corpus: len() utterances, each a dict with name, audio (samples,), mel (frames, n_mels),\n"
                       "label (-1: none), label_name, target (corpora with targets), sample_rate and shard. A PyTorch DataLoader\n"
                       "can wrap it (workers reopen the files).")
      .def(py::init([](const py::object& dir, const std::string& split) { return PyShards(path_text(dir), split); }), py::arg("dir"),
           py::arg("split") = "train",
           "dir: a preprocessed corpus (its manifest's split: train, valid or all) or a directory of .h5 shards")
      // Pickled as its directory and split, so DataLoader workers started by spawn or forkserver reopen it.
      .def(py::pickle([](const PyShards& s) { return py::make_tuple(s.dir(), s.split()); },
                      [](const py::tuple& t) { return PyShards(t[0].cast<std::string>(), t[1].cast<std::string>()); }))
      .def("__len__", &PyShards::size)
      .def("__getitem__", &PyShards::item)
      .def("__iter__", [](py::object self) {
        // Iterating by index keeps the generator independent of the reader's state.
        return py::iter(py::module_::import("builtins").attr("map")(self.attr("__getitem__"), py::module_::import("builtins").attr("range")(py::len(self))));
      })
      .def_property_readonly("labels", &PyShards::labels, "label names by id (from the manifest)")
      .def_property_readonly("files", &PyShards::files, "the shard files, in order");
}

}  // namespace wn::python
