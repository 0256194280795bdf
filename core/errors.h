#pragma once
// Error types shared by every library. The CLI maps UserError to a one-line message and exit
// code 2; anything else is a bug and is reported as an internal error.

#include <stdexcept>
#include <string>

namespace wn {

// Something the person running the program can fix: a bad flag, a missing file, an invalid config.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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
