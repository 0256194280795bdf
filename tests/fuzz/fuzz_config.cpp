// YAML configs with includes and overrides. The input is up to three parts separated by a line
// "#--": the config file, a file it may include as base.yaml, and override lines (key=value).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/config/config_io.h"
#include "tests/fuzz/fuzz_rule.h"

namespace {

std::vector<std::string> parts_of(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (parts.size() < 2) {
    const std::size_t cut = text.find("\n#--\n", start);
    if (cut == std::string::npos) break;
    parts.push_back(text.substr(start, cut - start));
    start = cut + 5;
  }
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  const std::vector<std::string> parts = parts_of(std::string(reinterpret_cast<const char*>(data), size));
  const fs::path dir = wn::fuzz::scratch_dir();
  wn::fuzz::write_bytes(dir / "config.yaml", parts[0].data(), parts[0].size());
  const std::string base = parts.size() > 1 ? parts[1] : "";
  wn::fuzz::write_bytes(dir / "base.yaml", base.data(), base.size());
  std::vector<std::string> overrides;
  if (parts.size() > 2) {
    std::size_t start = 0;
    while (start <= parts[2].size()) {
      const std::size_t end = std::min(parts[2].find('\n', start), parts[2].size());
      if (end > start) overrides.push_back(parts[2].substr(start, end - start));
      start = end + 1;
    }
  }
  wn::fuzz::expect_clean_outcome([&] { wn::resolve_config(dir / "config.yaml", overrides); });
  return 0;
}
