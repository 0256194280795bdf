// Corpus description files: a list file ("path|column|...") or an LJSpeech metadata.csv, scanned
// and planned into shards as `preprocess` does. The first byte picks the layout and the label
// rule; the rest is the file. Two real wav files sit beside it, so lines can name them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/config/config_io.h"
#include "dataio/audio_io.h"
#include "dataio/corpus.h"
#include "dataio/shard_plan.h"
#include "tests/fuzz/fuzz_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  if (size < 1) return 0;
  const uint8_t choice = data[0];
  const fs::path dir = wn::fuzz::scratch_dir() / "corpus";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir / "wavs");
  const std::vector<float> tone(800, 0.25f);
  for (const char* name : {"a", "b"}) {
    wn::write_wav(dir / "wavs" / (std::string(name) + ".wav"), tone, 16000);
    wn::write_wav(dir / (std::string(name) + ".wav"), tone, 16000);
  }
  const bool ljspeech = choice & 1;
  const fs::path file = ljspeech ? dir / "metadata.csv" : dir / "list.txt";
  wn::fuzz::write_bytes(file, reinterpret_cast<const char*>(data + 1), size - 1);

  static const char* kLabelSources[] = {"none", "folder", "column", "column"};
  const std::vector<std::string> overrides = {
      std::string("data.label_source=") + kLabelSources[(choice >> 1) & 3],
      "data.label_column=" + std::to_string((choice >> 3) & 3),
      "data.valid_fraction=" + std::string((choice & 32) ? "0.5" : "0.0"), "audio.sample_rate=16000"};
  wn::fuzz::expect_clean_outcome([&] {
    const wn::Config config = wn::resolve_config(std::nullopt, overrides);
    const wn::Corpus corpus = wn::scan_corpus(ljspeech ? dir : file, config.data);
    wn::plan_shards(corpus, config);
  });
  return 0;
}
