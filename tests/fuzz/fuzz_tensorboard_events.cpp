// TensorBoard event files, as `wavenet plot` reads a run's (ours, or another writer's).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/tensorboard_reader.h"
#include "tests/fuzz/fuzz_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  wn::fuzz::expect_clean_outcome([&] {
    wn::RunEvents events;
    wn::read_event_records(std::string(reinterpret_cast<const char*>(data), size), "fuzz.tfevents", events);
  });
  return 0;
}
