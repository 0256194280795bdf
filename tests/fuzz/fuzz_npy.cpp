// .npy mel files as Tacotron-style front ends write them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dataio/npy.h"
#include "tests/fuzz/fuzz_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  wn::fuzz::expect_clean_outcome([&] {
    wn::parse_npy(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.npy");
  });
  return 0;
}
