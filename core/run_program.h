#pragma once
// Runs another program without a shell (each argument passed as it is) and waits for it, with
// its standard error captured so a caller can turn a failure into one line of its own.

#include <string>
#include <vector>

namespace wn {

struct ProgramOutcome {
  int exit_code = 0;         // 127 when the program could not be started; 128 + N for signal N
  std::string error_output;  // everything it wrote to standard error
  // The last non-empty line of error_output (a Python traceback's message line).
  std::string last_error_line() const;
};

// argv[0] is the program, looked up in PATH when it holds no '/'.
ProgramOutcome run_program(const std::vector<std::string>& argv);

}  // namespace wn
