// manifest.yaml of a preprocessed corpus, as `train`, `synth` and `eval` read it.
#include <cstddef>
#include <cstdint>

#include "dataio/manifest.h"
#include "tests/fuzz/fuzz_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::filesystem::path dir = wn::fuzz::scratch_dir();
  wn::fuzz::write_bytes(dir / wn::Manifest::kFileName, reinterpret_cast<const char*>(data), size);
  wn::fuzz::expect_clean_outcome([&] { wn::read_manifest(dir); });
  return 0;
}
