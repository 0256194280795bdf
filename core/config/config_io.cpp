#include "core/config/config_io.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <type_traits>

#include "core/config/validate.h"
#include "core/config/yaml_tree.h"
#include "core/errors.h"
#include "core/strings.h"

namespace wn {
namespace {

template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (std::is_integral_v<T>) return "an integer";
  if constexpr (std::is_floating_point_v<T>) return "a number";
  if constexpr (std::is_same_v<T, std::string>) return "a string";
  if constexpr (std::is_same_v<T, std::vector<int>>) return "a list of integers";
  return "a value";
}

std::string node_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

template <class T>
bool parse_integer(const std::string& text, T& out) {
  const std::string t = trim(text);
  const auto result = std::from_chars(t.data(), t.data() + t.size(), out);
  return result.ec == std::errc() && result.ptr == t.data() + t.size() && !t.empty();
}

bool parse_number(const std::string& text, double& out) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

bool parse_bool(const std::string& text, bool& out) {
  std::string t = trim(text);
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "true" || t == "yes" || t == "on" || t == "1") return out = true, true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return out = false, true;
  return false;
}

template <class T>
bool convert(const YAML::Node& node, T& out) {
  if constexpr (std::is_same_v<T, std::vector<int>>) {
    std::vector<std::string> items;
    if (node.IsSequence()) {
      for (const auto& item : node) {
        if (!item.IsScalar()) return false;
        items.push_back(item.Scalar());
      }
    } else if (node.IsScalar()) {
      items = split(node.Scalar(), ',');  // Accept `4,4,4,4` from the command line.
    } else {
      return false;
    }
    std::vector<int> values(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!parse_integer(items[i], values[i])) return false;
    }
    out = values;
    return true;
  } else {
    if (!node.IsScalar()) return false;
    if constexpr (std::is_same_v<T, bool>) return parse_bool(node.Scalar(), out);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return parse_integer(node.Scalar(), out);
    }
    if constexpr (std::is_floating_point_v<T>) return parse_number(node.Scalar(), out);
    if constexpr (std::is_same_v<T, std::string>) return out = node.Scalar(), true;
  }
  return false;
}

// Reads one section's fields from its mapping, recording every problem instead of stopping at
// the first, so one run of the program shows them all.
class SectionReader {
 public:
  SectionReader(std::string section, YAML::Node node, std::vector<std::string>& problems)
      : section_(std::move(section)), node_(std::move(node)), problems_(problems) {}

  template <class T>
  void operator()(const char* name, T& field, const char* /*help*/) {
    known_.emplace_back(name);
    const YAML::Node value = node_[name];
    if (!value) return;
    if (!convert(value, field)) {
      problems_.push_back(section_ + "." + name + " must be " + type_name<T>() + ", got '" +
                          node_text(value) + "'");
    }
  }

  // `owners`: keys of the section that belong to a part not selected (another model family),
  // by key, with the sentence that explains it.
  void report_unknown_keys(const std::map<std::string, std::string>& owners = {}) const {
    for (const auto& entry : node_) {
      const std::string key = entry.first.as<std::string>();
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      if (const auto owner = owners.find(key); owner != owners.end()) {
        if (!owner->second.empty()) problems_.push_back(section_ + "." + key + owner->second);
        continue;
      }
      std::string message = "unknown key '" + section_ + "." + key + "'";
      const std::string suggestion = closest_match(key, known_);
      if (!suggestion.empty()) message += " (did you mean '" + section_ + "." + suggestion + "'?)";
      problems_.push_back(message);
    }
  }

 private:
  std::string section_;
  YAML::Node node_;
  std::vector<std::string>& problems_;
  std::vector<std::string> known_;
};

// Collects the names of a section's fields.
struct KeyCollector {
  std::vector<std::string>& names;
  template <class T>
  void operator()(const char* name, T&, const char*) {
    names.emplace_back(name);
  }
};

// For the section made of families (model): each key of a family other than the selected one,
// with the sentence that says so ("model.frame_sizes is a samplernn key; model.type is wavenet").
template <class Section>
std::map<std::string, std::string> keys_of_other_families(Section& section) {
  std::map<std::string, std::string> owners;
  if constexpr (std::is_same_v<Section, ModelConfig>) {
    bool known_type = false;
    section.families([&](const char* family, auto&) { known_type = known_type || section.type == family; });
    section.families([&](const char* family, auto& keys) {
      if (section.type == family) return;
      std::vector<std::string> names;
      keys.fields(KeyCollector{names});
      for (const auto& name : names) {
        // With an unknown type, validation reports the type alone.
        owners.emplace(name, known_type ? std::string(" is a ") + family + " key; model.type is " + section.type : "");
      }
    });
  }
  return owners;
}

[[noreturn]] void throw_problems(const std::vector<std::string>& problems) {
  throw ConfigError(join(problems, "; "));
}

Config config_from_tree(const YAML::Node& root) {
  Config config;
  std::vector<std::string> problems;
  std::vector<std::string> section_names;
  config.sections([&](const char* name, auto& section) {
    section_names.emplace_back(name);
    const YAML::Node node = root[name];
    if (!node || node.IsNull()) return;
    if (!node.IsMap()) {
      problems.push_back(std::string("section '") + name + "' must be a mapping of keys");
      return;
    }
    SectionReader reader(name, node, problems);
    section.fields(reader);
    reader.report_unknown_keys(keys_of_other_families(section));
  });
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    if (std::find(section_names.begin(), section_names.end(), key) != section_names.end()) continue;
    std::string message = "unknown section '" + key + "'";
    const std::string suggestion = closest_match(key, section_names);
    if (!suggestion.empty()) {
      message += " (did you mean '" + suggestion + "'?)";
    } else {
      message += " (sections are " + join(section_names, ", ") + ")";
    }
    problems.push_back(message);
  }
  if (!problems.empty()) throw_problems(problems);
  validate_config(config);
  return config;
}

Config resolve_tree(YAML::Node root, const std::vector<std::string>& overrides) {
  for (const auto& assignment : overrides) apply_override(root, assignment);
  return config_from_tree(root);
}

// Emits one field as a YAML value in the form the reader accepts back exactly.
class FieldEmitter {
 public:
  FieldEmitter(YAML::Emitter& out, bool with_comments) : out_(out), with_comments_(with_comments) {}

  template <class T>
  void operator()(const char* name, T& field, const char* help) {
    out_ << YAML::Key << name << YAML::Value;
    if constexpr (std::is_same_v<T, std::vector<int>>) {
      out_ << YAML::Flow << YAML::BeginSeq;
      for (int v : field) out_ << v;
      out_ << YAML::EndSeq;
    } else if constexpr (std::is_floating_point_v<T>) {
      out_ << format_double(field);
    } else if constexpr (std::is_same_v<T, bool>) {
      out_ << (field ? "true" : "false");
    } else if constexpr (std::is_same_v<T, std::string>) {
      out_ << YAML::DoubleQuoted << field;
    } else {
      out_ << field;
    }
    if (with_comments_) out_ << YAML::Comment(help);
  }

 private:
  YAML::Emitter& out_;
  bool with_comments_;
};

}  // namespace

namespace {

// Past parsing, a YAML document can still surprise the tree walk (a mapping used as a key, say):
// whatever yaml-cpp then throws is the config's fault, reported as such.
template <class Resolve>
Config resolving(const std::string& origin, Resolve&& resolve) {
  try {
    return resolve();
  } catch (const YAML::Exception& e) {
    throw ConfigError(origin + ": " + e.what());
  }
}

}  // namespace

Config resolve_config(const std::optional<std::filesystem::path>& file,
                      const std::vector<std::string>& overrides) {
  return resolving(file ? file->string() : "overrides", [&] {
    YAML::Node root = file ? load_yaml_with_includes(*file) : YAML::Node(YAML::NodeType::Map);
    return resolve_tree(root, overrides);
  });
}

Config config_from_yaml(const std::string& yaml_text, const std::string& origin,
                        const std::vector<std::string>& overrides) {
  return resolving(origin, [&] { return resolve_tree(parse_yaml_mapping(yaml_text, origin), overrides); });
}

std::string config_to_yaml(const Config& config, bool with_comments) {
  Config copy = config;  // The visitors take mutable references; writing never changes values.
  YAML::Emitter out;
  out << YAML::BeginMap;
  copy.sections([&](const char* name, auto& section) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    FieldEmitter emitter(out, with_comments);
    section.fields(emitter);
    out << YAML::EndMap;
  });
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

bool is_override(const std::string& argument) {
  const std::size_t eq = argument.find('=');
  return eq != std::string::npos && eq > 0 && argument.find('/') > eq;
}

}  // namespace wn
