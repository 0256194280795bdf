#pragma once
// Small string helpers used by config parsing and CLI messages.

#include <string>
#include <string_view>
#include <vector>

namespace wn {

std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string trim(std::string_view text);

// Number of single-character insertions, deletions, substitutions and adjacent swaps turning
// a into b.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Shortest decimal text that parses back to exactly the same double.
std::string format_double(double value);

}  // namespace wn
