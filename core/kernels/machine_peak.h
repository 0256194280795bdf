#pragma once
// This machine's ceilings, measured in the same run as a benchmark so ratios are honest on a
// shared, noisy host: FMA throughput (independent FMA chains on registers, best vector width)
// and streaming read bandwidth (a large array summed once), on `threads` threads at once.

#include <cstdint>

namespace wn::kernels {

struct MachinePeak {
  double gflops = 0;           // fp32 FLOP/s / 1e9, all threads
  double read_gbytes_per_s = 0;
  const char* isa = "scalar";
};

MachinePeak measure_machine_peak(int threads, double seconds_each = 0.3);

// Read bandwidth (bytes/s / 1e9, all threads) when each thread reads its own array of
// `bytes_per_thread` over and over: what a generator whose per-step weights are that large can
// stream per step at best (from L2, L3 or memory, whichever holds that much).
double measure_resident_read(int threads, int64_t bytes_per_thread, double seconds = 0.3);

// Nanoseconds per crossing of a spin barrier by `threads` threads that arrive together: the
// cost of one synchronisation point inside a generation step.
double measure_barrier_ns(int threads, int crossings = 200000);

}  // namespace wn::kernels
