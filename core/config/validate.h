#pragma once
// The one place that decides whether a Config makes sense. Every rule names the key, the bad
// value and what is allowed, so a message alone tells the user how to fix it.

#include <string>
#include <vector>

#include "core/config/config.h"

namespace wn {

// Every problem found, one sentence each, in section order. Empty when the config is valid.
std::vector<std::string> config_problems(const Config& config);

// Throws ConfigError listing every problem when there is any.
void validate_config(const Config& config);

}  // namespace wn
