#pragma once
// `--nproc N`: run N copies of this program on this machine as ranks 0..N-1 of one job, with
// the same variables torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT). If one worker fails, the others are stopped and its status is returned; a worker
// stopped by a signal (which its peers would only see as a timeout) is named and killed.

#include <chrono>
#include <string>
#include <vector>

namespace wn {

// A TCP port on 127.0.0.1 that was free a moment ago.
int find_free_port();

struct SpawnOutcome {
  int exit_code = 0;    // 0 when every worker succeeded
  std::string message;  // which rank failed, and how
};

// `argv[0]` is the program. Blocks until all workers have exited, or one has failed or stayed
// stopped for longer than `stopped_limit`.
SpawnOutcome run_local_workers(const std::vector<std::string>& argv, int nproc,
                               std::chrono::milliseconds stopped_limit = std::chrono::seconds(10));

}  // namespace wn
