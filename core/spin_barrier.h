#pragma once
// A barrier for a fixed team of threads that each own a core: waiting spins instead of
// sleeping, because the engine crosses one every few microseconds and a futex wake-up would
// cost more than the work between barriers. After a while of spinning it also yields, so an
// oversubscribed machine (more threads than free cores) slows down instead of stalling.

#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace wn {

class SpinBarrier {
 public:
  explicit SpinBarrier(int participants) : participants_(participants) {}

  void wait() {
    const int generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == participants_ - 1) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
      return;
    }
    for (int spins = 0; generation_.load(std::memory_order_acquire) == generation; ++spins) {
      if (spins < kSpinsBeforeYield) {
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#endif
      } else {
        std::this_thread::yield();
      }
    }
  }

 private:
  static constexpr int kSpinsBeforeYield = 4000;  // a few microseconds of pause instructions
  const int participants_;
  alignas(64) std::atomic<int> arrived_{0};
  alignas(64) std::atomic<int> generation_{0};
};

}  // namespace wn
