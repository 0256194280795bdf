#include "core/config/yaml_tree.h"

#include <algorithm>

#include "core/errors.h"
#include "core/strings.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

std::string describe_yaml_error(const std::string& origin, const YAML::Exception& e) {
  if (e.mark.is_null()) return origin + ": " + e.msg;
  return origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
         ": " + e.msg;
}

YAML::Node require_mapping(const YAML::Node& node, const std::string& origin) {
  if (!node || node.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!node.IsMap()) throw ConfigError(origin + ": a config must be a YAML mapping of sections");
  return node;
}

YAML::Node load_recursive(const fs::path& file, std::vector<fs::path>& chain) {
  const fs::path canonical = fs::weakly_canonical(file);
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    std::vector<std::string> names;
    for (const auto& p : chain) names.push_back(p.filename().string());
    names.push_back(canonical.filename().string());
    throw ConfigError("include cycle: " + join(names, " -> "));
  }
  if (!fs::is_regular_file(canonical)) {
    throw ConfigError(file.string() + ": config file not found");
  }
  YAML::Node root;
  try {
    root = require_mapping(YAML::LoadFile(canonical.string()), file.string());
  } catch (const YAML::Exception& e) {
    throw ConfigError(describe_yaml_error(file.string(), e));
  }

  YAML::Node includes = root["include"];
  if (!includes) return root;
  std::vector<std::string> include_names;
  if (includes.IsScalar()) {
    include_names.push_back(includes.as<std::string>());
  } else if (includes.IsSequence()) {
    for (const auto& item : includes) {
      if (!item.IsScalar()) throw ConfigError(file.string() + ": include entries must be paths");
      include_names.push_back(item.as<std::string>());
    }
  } else {
    throw ConfigError(file.string() + ": include must be a path or a list of paths");
  }
  root.remove("include");

  chain.push_back(canonical);
  YAML::Node merged(YAML::NodeType::Map);
  for (const auto& name : include_names) {
    const fs::path included = canonical.parent_path() / name;
    if (!fs::exists(included)) {
      throw ConfigError(file.string() + ": included file '" + name + "' not found");
    }
    merged = merge_yaml(merged, load_recursive(included, chain));
  }
  chain.pop_back();
  return merge_yaml(merged, root);
}

}  // namespace

YAML::Node load_yaml_with_includes(const fs::path& file) {
  std::vector<fs::path> chain;
  try {
    return load_recursive(file, chain);
  } catch (const fs::filesystem_error& e) {
    // A path the file system refuses to look at (too long, a loop of links, no permission).
    throw ConfigError(e.path1().string() + ": " + e.code().message() + " (included from " + file.string() + ")");
  }
}

YAML::Node parse_yaml_mapping(const std::string& text, const std::string& origin) {
  try {
    return require_mapping(YAML::Load(text), origin);
  } catch (const YAML::Exception& e) {
    throw ConfigError(describe_yaml_error(origin, e));
  }
}

YAML::Node merge_yaml(const YAML::Node& base, const YAML::Node& over) {
  if (!base || !base.IsMap() || !over.IsMap()) return YAML::Clone(over);
  YAML::Node result = YAML::Clone(base);
  for (const auto& entry : over) {
    const std::string key = entry.first.as<std::string>();
    result[key] = merge_yaml(result[key], entry.second);
  }
  return result;
}

void apply_override(YAML::Node& root, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  const std::string key = trim(assignment.substr(0, eq == std::string::npos ? 0 : eq));
  if (eq == std::string::npos || key.empty()) {
    throw ConfigError("override '" + assignment + "' must look like section.key=value");
  }
  const std::string value_text = assignment.substr(eq + 1);
  const std::vector<std::string> path = split(key, '.');
  for (const auto& part : path) {
    if (part.empty()) throw ConfigError("override key '" + key + "' has an empty component");
  }

  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::Exception&) {
    value = YAML::Node(value_text);  // Not YAML: take the text literally.
  }
  if (!value || value.IsNull()) value = YAML::Node(value_text);

  // yaml-cpp nodes are handles: walking with operator[] on a copy rebinds, so rebuild the
  // mapping from the leaf upwards instead and merge it in.
  YAML::Node patch = value;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    YAML::Node parent(YAML::NodeType::Map);
    parent[*it] = patch;
    patch = parent;
  }
  root = merge_yaml(root, patch);
}

}  // namespace wn
