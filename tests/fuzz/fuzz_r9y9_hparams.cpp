// r9y9/wavenet_vocoder hparams JSON (`wavenet import r9y9 --hparams`): read, then turned into our
// config and validated.
#include <cstddef>
#include <cstdint>

#include "nets/interop/r9y9_hparams.h"
#include "tests/fuzz/fuzz_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::filesystem::path path = wn::fuzz::scratch_dir() / "hparams.json";
  wn::fuzz::write_bytes(path, reinterpret_cast<const char*>(data), size);
  wn::fuzz::expect_clean_outcome([&] { wn::config_for_r9y9(wn::read_r9y9_hparams(path), false); });
  return 0;
}
