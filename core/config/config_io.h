#pragma once
// Reading, overriding and writing configs. The whole path from files to a checked Config is:
// YAML file (following `include:`) -> `key.sub=value` overrides -> typed structs -> validation.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

// The full path: optional file, then overrides, then one validation pass. Throws ConfigError.
Config resolve_config(const std::optional<std::filesystem::path>& file,
                      const std::vector<std::string>& overrides = {});

// YAML text (for example a resolved config stored in a checkpoint) to a validated Config.
// `origin` names the text's source in error messages.
Config config_from_yaml(const std::string& yaml_text, const std::string& origin,
                        const std::vector<std::string>& overrides = {});

// The resolved config as YAML; with_comments adds each key's one-line description.
std::string config_to_yaml(const Config& config, bool with_comments = false);

// True when `argument` has the form key=value and so is a config override, not a path.
bool is_override(const std::string& argument);

}  // namespace wn
