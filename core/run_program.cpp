#include "core/run_program.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wn {

std::string ProgramOutcome::last_error_line() const {
  std::size_t end = error_output.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return {};
  const std::size_t start = error_output.find_last_of('\n', end);
  return error_output.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

ProgramOutcome run_program(const std::vector<std::string>& argv) {
  ProgramOutcome outcome;
  int pipe_fds[2];
  if (argv.empty() || pipe(pipe_fds) != 0) {
    outcome.exit_code = 127;
    outcome.error_output = argv.empty() ? "no program given" : std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    outcome.exit_code = 127;
    outcome.error_output = std::string("fork: ") + std::strerror(errno);
    return outcome;
  }
  if (pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execvp(args[0], args.data());
    const std::string message = argv[0] + ": cannot run: " + std::strerror(errno) + "\n";
    (void)!write(STDERR_FILENO, message.data(), message.size());
    _exit(127);
  }
  close(pipe_fds[1]);
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      outcome.error_output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.exit_code = 128 + WTERMSIG(status);
  }
  return outcome;
}

}  // namespace wn
