#pragma once
// A team of threads that lives as long as its owner and runs one job at a time on all of its
// members: the calling thread is member 0, the others wait between jobs. Fast generators run
// every chunk of every call on the same team, so no thread is created per call, and the
// members share a spin barrier for the lockstep inside a job.
//
// Between jobs a member spins briefly (a streaming caller hands over the next chunk within
// microseconds) and then sleeps on a condition variable, so an idle engine costs no CPU.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/spin_barrier.h"

namespace wn {

class ThreadTeam {
 public:
  explicit ThreadTeam(int threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const { return threads_; }
  // Runs job(member) on every member, member 0 on the calling thread, and returns when all are
  // done. The job must not throw (check inputs before running it): a member that leaves early
  // would leave the others waiting at the barrier.
  void run(const std::function<void(int)>& job);
  // For lockstep inside a job: every member must reach each wait().
  SpinBarrier& barrier() { return barrier_; }

 private:
  void member_loop(int member);

  const int threads_;
  SpinBarrier barrier_;
  const std::function<void(int)>* job_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};  // jobs started
  std::atomic<int> finished_{0};         // members done with the current job
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> members_;
};

}  // namespace wn
