// Audio decoding (libsndfile from memory, every format it knows) and our mono conversion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dataio/audio_io.h"
#include "tests/fuzz/fuzz_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  wn::fuzz::expect_clean_outcome([&] {
    wn::decode_audio_mono(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.wav");
  });
  return 0;
}
