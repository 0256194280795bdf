#pragma once
// Error types shared by every library. The CLI maps UserError to a one-line message and exit
// code 2; anything else is a bug and is reported as an internal error.

#include <stdexcept>
#include <string>

namespace wn {

// Something the person running the program can fix: a bad flag, a missing file, an invalid config.
// The message is always one line: control characters that came from the input (a name read from a
// damaged file, a YAML snippet) are shown escaped, as \n or \xNN.
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(one_line(message)) {}

  static std::string one_line(const std::string& text) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') {
        out += "\\n";
      } else if (u < 0x20 || u == 0x7f) {
        out += "\\x";
        out += kHex[u >> 4];
        out += kHex[u & 15];
      } else {
        out += c;
      }
    }
    return out;
  }
};

// A config that does not parse or does not validate. The message names the key and the value.
class ConfigError : public UserError {
 public:
  using UserError::UserError;
};

// A file that cannot be read or written. The message names the path and the reason.
class IoError : public UserError {
 public:
  using UserError::UserError;
};

}  // namespace wn
