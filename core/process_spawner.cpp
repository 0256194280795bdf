#include "core/process_spawner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
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

// True when the process is stopped (SIGSTOP, SIGTSTP): it cannot act on SIGTERM nor answer its
// peers, which then see only a timeout without a name.
bool is_stopped(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const std::size_t comm_end = line.rfind(')');  // the command name may hold spaces and parentheses
  return comm_end != std::string::npos && comm_end + 2 < line.size() && line[comm_end + 2] == 'T';
}

void stop_all(const std::vector<pid_t>& pids, std::vector<bool>& running) {
  for (std::size_t r = 0; r < pids.size(); ++r) {
    if (running[r]) kill(pids[r], is_stopped(pids[r]) ? SIGKILL : SIGTERM);
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


// The outcome when worker `rank` exited with `status` (none when it succeeded). A peer that
// stopped responding makes the others fail: it is named, not the first to notice.
std::optional<SpawnOutcome> exit_outcome(std::size_t rank, int status, const std::vector<pid_t>& pids,
                                         const std::vector<bool>& running) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  for (std::size_t other = 0; other < pids.size(); ++other) {
    if (running[other] && is_stopped(pids[other])) {
      return SpawnOutcome{2, "worker rank " + std::to_string(other) + " stopped responding (stopped by a signal) and rank " +
                                 std::to_string(rank) + " " + describe_status(status)};
    }
  }
  return SpawnOutcome{WIFEXITED(status) ? WEXITSTATUS(status) : 1,
                      "worker rank " + std::to_string(rank) + " " + describe_status(status)};
}

// Polled rather than blocking in wait(): a worker stopped by a signal never exits, and its peers
// would only time out without knowing whom they waited for. Returns when all succeeded, or stops
// the others at the first failure or at a worker stopped for longer than `stopped_limit`.
SpawnOutcome watch_workers(const std::vector<pid_t>& pids, std::vector<bool>& running,
                           std::chrono::milliseconds stopped_limit) {
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> stopped_since(pids.size());
  std::optional<SpawnOutcome> failure;
  while (!failure && std::find(running.begin(), running.end(), true) != running.end()) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno != EINTR) break;  // ECHILD: nothing left to wait for
    for (std::size_t r = 0; pid > 0 && r < pids.size(); ++r) {
      if (pids[r] != pid) continue;
      running[r] = false;
      failure = exit_outcome(r, status, pids, running);
    }
    const auto now = Clock::now();
    for (std::size_t r = 0; r < pids.size() && !failure; ++r) {
      if (!running[r] || !is_stopped(pids[r])) {
        stopped_since[r] = {};
      } else if (stopped_since[r] == Clock::time_point{}) {
        stopped_since[r] = now;
      } else if (now - stopped_since[r] > stopped_limit) {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(stopped_limit).count();
        failure = SpawnOutcome{2, "worker rank " + std::to_string(r) + " stopped responding (stopped by a signal for " +
                                      std::to_string(seconds) + " s)"};
      }
    }
    if (pid <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!failure) return SpawnOutcome{};
  failure->message += "; stopped the other workers";
  stop_all(pids, running);
  return *failure;
}

}  // namespace

namespace {

// The running workers, for the signal handler: Ctrl-C or SIGTERM to the parent is passed on,
// so every worker checkpoints and stops instead of being orphaned.
volatile sig_atomic_t g_worker_count = 0;
pid_t g_workers[1024];

extern "C" void forward_signal(int signal_number) {
  for (sig_atomic_t i = 0; i < g_worker_count; ++i) kill(g_workers[i], signal_number);
}

// argv and environment of one worker, built before fork(): the child only calls execve().
struct WorkerLaunch {
  std::vector<std::string> env_strings;
  std::vector<char*> env;
  std::vector<char*> args;
};

WorkerLaunch launch_for(const std::vector<std::string>& argv, int rank, int nproc, const std::string& port) {
  WorkerLaunch l;
  const std::vector<std::pair<std::string, std::string>> ours = {
      {"RANK", std::to_string(rank)},   {"LOCAL_RANK", std::to_string(rank)}, {"WORLD_SIZE", std::to_string(nproc)},
      {"LOCAL_WORLD_SIZE", std::to_string(nproc)}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port}};
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : ours) replaced = replaced || k == name;
    if (!replaced) l.env_strings.push_back(entry);
  }
  for (const auto& [k, v] : ours) l.env_strings.push_back(k + "=" + v);
  for (auto& e : l.env_strings) l.env.push_back(e.data());
  l.env.push_back(nullptr);
  for (const auto& a : argv) l.args.push_back(const_cast<char*>(a.c_str()));
  l.args.push_back(nullptr);
  return l;
}

}  // namespace

SpawnOutcome run_local_workers(const std::vector<std::string>& argv, int nproc,
                               std::chrono::milliseconds stopped_limit) {
  if (nproc < 1 || nproc > 1024) throw UserError("--nproc must be in [1, 1024]");
  const std::string port = std::to_string(find_free_port());
  std::vector<WorkerLaunch> launches;
  for (int rank = 0; rank < nproc; ++rank) launches.push_back(launch_for(argv, rank, nproc, port));

  struct sigaction forward {};
  forward.sa_handler = forward_signal;
  sigemptyset(&forward.sa_mask);
  struct sigaction previous_int {}, previous_term {};
  sigaction(SIGINT, &forward, &previous_int);
  sigaction(SIGTERM, &forward, &previous_term);

  std::vector<pid_t> pids;
  std::vector<bool> running;
  auto restore = [&] {
    g_worker_count = 0;
    sigaction(SIGINT, &previous_int, nullptr);
    sigaction(SIGTERM, &previous_term, nullptr);
  };
  for (int rank = 0; rank < nproc; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) {
      stop_all(pids, running);
      restore();
      throw IoError("fork failed while starting worker " + std::to_string(rank));
    }
    if (pid == 0) {
      execve("/proc/self/exe", launches[rank].args.data(), launches[rank].env.data());
      _exit(127);
    }
    pids.push_back(pid);
    running.push_back(true);
    g_workers[rank] = pid;
    g_worker_count = rank + 1;
  }

  const SpawnOutcome outcome = watch_workers(pids, running, stopped_limit);
  restore();
  return outcome;
}

}  // namespace wn
