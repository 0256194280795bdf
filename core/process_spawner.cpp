#include "core/process_spawner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "core/errors.h"

namespace wn {

int find_free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw IoError("cannot open a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw IoError("cannot bind a socket on 127.0.0.1 to find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

namespace {

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

void stop_all(const std::vector<pid_t>& pids, std::vector<bool>& running) {
  for (std::size_t r = 0; r < pids.size(); ++r) {
    if (running[r]) kill(pids[r], SIGTERM);
  }
  // Give them a few seconds to write their last words, then insist.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    bool any = false;
    for (std::size_t r = 0; r < pids.size(); ++r) {
      if (running[r] && waitpid(pids[r], nullptr, WNOHANG) == pids[r]) running[r] = false;
      any = any || running[r];
    }
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (std::size_t r = 0; r < pids.size(); ++r) {
    if (running[r]) {
      kill(pids[r], SIGKILL);
      waitpid(pids[r], nullptr, 0);
      running[r] = false;
    }
  }
}

}  // namespace

SpawnOutcome run_local_workers(const std::vector<std::string>& argv, int nproc) {
  const std::string port = std::to_string(find_free_port());
  std::vector<pid_t> pids;
  for (int rank = 0; rank < nproc; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) throw IoError("fork failed while starting worker " + std::to_string(rank));
    if (pid == 0) {
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", port.c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv("/proc/self/exe", args.data());
      _exit(127);
    }
    pids.push_back(pid);
  }
  std::vector<bool> running(pids.size(), true);
  SpawnOutcome outcome;
  std::size_t alive = pids.size();
  while (alive > 0) {
    int status = 0;
    const pid_t pid = wait(&status);
    if (pid < 0) break;
    for (std::size_t r = 0; r < pids.size(); ++r) {
      if (pids[r] != pid) continue;
      running[r] = false;
      --alive;
      const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!ok && outcome.exit_code == 0) {
        outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        outcome.message = "worker rank " + std::to_string(r) + " " + describe_status(status) +
                          "; stopped the other workers";
        stop_all(pids, running);
        alive = 0;
      }
    }
  }
  return outcome;
}

}  // namespace wn
