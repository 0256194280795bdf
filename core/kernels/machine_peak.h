#pragma once
// This machine's ceilings, measured in the same run as a benchmark so ratios are honest on a
// shared, noisy host: FMA throughput (independent FMA chains on registers, best vector width)
// and streaming read bandwidth (a large array summed once), on `threads` threads at once.

namespace wn::kernels {

struct MachinePeak {
  double gflops = 0;           // fp32 FLOP/s / 1e9, all threads
  double read_gbytes_per_s = 0;
  const char* isa = "scalar";
};

MachinePeak measure_machine_peak(int threads, double seconds_each = 0.3);

}  // namespace wn::kernels
