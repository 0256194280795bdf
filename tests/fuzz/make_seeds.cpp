// Writes the seed corpus of every harness (tests/fuzz/corpus/<harness>/): small valid inputs of
// each kind our users feed the readers, made with our own writers, for the fuzzers to start from.
//   build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
#include <sndfile.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/tensorboard.h"
#include "dataio/audio_io.h"
#include "dataio/manifest.h"
#include "dataio/npy.h"

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::vector<float> tone(int frames, int channels) {
  std::vector<float> out;
  for (int f = 0; f < frames; ++f) {
    for (int c = 0; c < channels; ++c) out.push_back(0.5f * std::sin(0.05f * static_cast<float>(f * (c + 1))));
  }
  return out;
}

void write_audio(const fs::path& path, int format, int channels) {
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = channels;
  info.format = format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) {
    std::fprintf(stderr, "%s: %s (skipped)\n", path.c_str(), sf_strerror(nullptr));
    return;
  }
  const std::vector<float> samples = tone(200, channels);
  sf_writef_float(file, samples.data(), 200);
  sf_close(file);
}

void audio_seeds(const fs::path& dir) {
  write_audio(dir / "pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1);
  write_audio(dir / "stereo24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2);
  write_audio(dir / "float.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1);
  write_audio(dir / "ulaw.wav", SF_FORMAT_WAV | SF_FORMAT_ULAW, 1);
  write_audio(dir / "mono.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1);
  write_audio(dir / "mono.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 1);
  write_audio(dir / "mono.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1);
  write_audio(dir / "mono.au", SF_FORMAT_AU | SF_FORMAT_PCM_S8, 1);
  write_audio(dir / "mono.caf", SF_FORMAT_CAF | SF_FORMAT_ALAW, 1);
  write_audio(dir / "mono.w64", SF_FORMAT_W64 | SF_FORMAT_DOUBLE, 1);
}

void npy_seeds(const fs::path& dir) {
  const std::vector<float> mel = tone(24, 1);
  wn::write_npy(dir / "mel_c.npy", mel, {6, 4});
  wn::write_npy(dir / "vector.npy", mel, {24});
  // float64 in Fortran order with a version 2 header, as NumPy writes for big headers.
  std::string header = "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }";
  header.append(64 - (12 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x02\x00", 8);
  for (int shift = 0; shift < 32; shift += 8) bytes += static_cast<char>((header.size() >> shift) & 0xff);
  bytes += header;
  for (int i = 0; i < 6; ++i) {
    const double v = 0.25 * i;
    bytes.append(reinterpret_cast<const char*>(&v), 8);
  }
  write_file(dir / "fortran_f8_v2.npy", bytes);
}

void config_seeds(const fs::path& dir, const fs::path& presets) {
  for (const auto& entry : fs::directory_iterator(presets)) {
    if (entry.path().extension() == ".yaml") write_file(dir / entry.path().filename(), read_file(entry.path()));
  }
  write_file(dir / "include_and_overrides.yaml",
             "include: base.yaml\nmodel:\n  layers: 6\n#--\naudio:\n  n_mels: 40\n#--\ntrain.lr=0.002\nmodel.stacks=2\n");
  write_file(dir / "include_list.yaml", "include: [base.yaml]\n#--\nmodel:\n  type: samplernn\n#--\nmodel.frame_sizes=8,2\n");
}

void manifest_seeds(const fs::path& dir) {
  wn::Manifest m;
  m.config = wn::resolve_config(std::nullopt, {"audio.n_mels=4"});
  m.train_shards = {{"train-00000.h5", 3, 2.5}, {"train-00001.h5", 2, 1.0}};
  m.valid_shards = {{"valid-00000.h5", 1, 0.5}};
  m.labels = {"alice", "bob"};
  m.stats_frames = 100;
  m.mel_mean = {-4, -3, -2, -1};
  m.mel_std = {1, 1.5, 2, 2.5};
  wn::write_manifest(dir, m, "seed corpus");
}

void corpus_seeds(const fs::path& dir) {
  // First byte: layout and label rule (see fuzz_corpus.cpp); then the file.
  write_file(dir / "list_plain", std::string("\x00", 1) + "a.wav\nb.wav\n");
  write_file(dir / "list_columns", std::string("\x14", 1) + "a.wav|x|spk1\nb.wav|y|spk2\nmissing.wav|z|spk1\n");
  write_file(dir / "ljspeech", std::string("\x01", 1) + "a|Hello there.|Hello there.\nb|Second one.|Second one.\n");
  write_file(dir / "ljspeech_labels", std::string("\x25", 1) + "a|one|spk\nb|two|spk\n");
}

void bytes_seeds(const fs::path& dir, int count) {
  // Structure-building harnesses read their bytes as choices: any bytes are a valid start.
  for (int i = 0; i < count; ++i) {
    std::string bytes;
    for (int j = 0; j < 64 + 16 * i; ++j) bytes += static_cast<char>((j * 37 + i * 101) & 0xff);
    write_file(dir / ("choices_" + std::to_string(i)), bytes);
  }
}

void checkpoint_seeds(const fs::path& dir) {
  // Raw mode (first byte even): a real checkpoint file. Edit mode (odd): choices.
  c10::impl::GenericDict model(c10::StringType::get(), c10::TensorType::get());
  model.insert("w", torch::arange(8, torch::kFloat32));
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("model", model);
  dict.insert("step", 1);
  const fs::path temp = dir / "checkpoint.tmp";
  wn::save_checkpoint_file(temp, dict);
  write_file(dir / "raw_small", std::string("\x00", 1) + read_file(temp));
  fs::remove(temp);
  for (int i = 0; i < 4; ++i) {
    std::string bytes(1, static_cast<char>(1 + 2 * (i & 1)));
    for (int j = 0; j < 32; ++j) bytes += static_cast<char>((j * 53 + i * 29) & 0xff);
    write_file(dir / ("edits_" + std::to_string(i)), bytes);
  }
}

// A run's event files: scalars, audio and an image as training writes them; one cut mid-record.
void tensorboard_seeds(const fs::path& dir) {
  const fs::path scratch = dir / "scratch";
  fs::path written;
  {
    wn::EventWriter w(scratch);
    for (int step = 1; step <= 3; ++step) w.add_scalar("train/loss", 5.0f / static_cast<float>(step), step);
    w.add_audio("valid/generated", "RIFF", 16000.0f, 1, 3);
    w.add_image("valid/mel", "\x89PNG\r\n\x1a\n", 4, 2, 3, 3);
    written = w.path();
  }
  std::ifstream in(written, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove_all(scratch);
  write_file(dir / "run.tfevents", bytes);
  write_file(dir / "cut.tfevents", bytes.substr(0, bytes.size() - 7));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR PRESETS_DIR   (e.g. tests/fuzz/corpus configs)\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* harness : {"audio", "npy", "config", "manifest", "corpus", "shard", "checkpoint", "tensorboard_events"}) {
    fs::create_directories(out / harness);
  }
  audio_seeds(out / "audio");
  npy_seeds(out / "npy");
  config_seeds(out / "config", argv[2]);
  manifest_seeds(out / "manifest");
  corpus_seeds(out / "corpus");
  bytes_seeds(out / "shard", 8);
  checkpoint_seeds(out / "checkpoint");
  tensorboard_seeds(out / "tensorboard_events");
  std::printf("seeds written under %s\n", out.c_str());
  return 0;
}
