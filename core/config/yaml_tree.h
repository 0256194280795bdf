#pragma once
// The untyped stage of config loading: YAML files with `include:` and `key.sub=value` overrides,
// merged into one tree before anything is converted to typed structs.

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

namespace wn {

// Loads a YAML mapping, first merging in every file named by its `include:` key (a path or a
// list of paths, relative to the including file), so the including file overrides its bases.
YAML::Node load_yaml_with_includes(const std::filesystem::path& file);

// Parses YAML text that must be a mapping (empty text gives an empty mapping).
YAML::Node parse_yaml_mapping(const std::string& text, const std::string& origin);

// `over` laid on top of `base`: mappings merge key by key, anything else is replaced.
YAML::Node merge_yaml(const YAML::Node& base, const YAML::Node& over);

// Applies one `a.b.c=value` argument; the value is read as YAML (so `[4,4]` is a list).
void apply_override(YAML::Node& root, const std::string& assignment);

}  // namespace wn
