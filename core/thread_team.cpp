#include "core/thread_team.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace wn {
namespace {

// About 50 microseconds of pause instructions before a waiting member sleeps.
constexpr int kSpinsBeforeSleep = 1000;

inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

}  // namespace

ThreadTeam::ThreadTeam(int threads) : threads_(threads < 1 ? 1 : threads), barrier_(threads < 1 ? 1 : threads) {
  for (int member = 1; member < threads_; ++member) members_.emplace_back([this, member] { member_loop(member); });
}

ThreadTeam::~ThreadTeam() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& member : members_) member.join();
}

void ThreadTeam::run(const std::function<void(int)>& job) {
  if (threads_ == 1) return job(0);
  finished_.store(0, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &job;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  job(0);
  // Every member has finished when the count reaches the others' number; spin, the job's end
  // is near for all of them (they share its barriers).
  for (int spins = 0; finished_.load(std::memory_order_acquire) != threads_ - 1; ++spins) {
    if (spins < kSpinsBeforeSleep) pause();
    else std::this_thread::yield();
  }
}

void ThreadTeam::member_loop(int member) {
  uint64_t seen = 0;
  for (;;) {
    for (int spins = 0; generation_.load(std::memory_order_acquire) == seen && spins < kSpinsBeforeSleep; ++spins) pause();
    if (generation_.load(std::memory_order_acquire) == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load()) return;
    const std::function<void(int)>* job = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job = job_;
    }
    (*job)(member);
    finished_.fetch_add(1, std::memory_order_acq_rel);
  }
}

}  // namespace wn
