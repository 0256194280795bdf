#pragma once
// What the CPU can run, detected once at run time so one binary picks its fastest kernels.

#include <string>

namespace wn {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512bf16 = false;
  bool neon = false;
};

const CpuFeatures& cpu_features();
// "avx2 fma avx512f" or "scalar": for logs, --version and bench output.
std::string describe(const CpuFeatures& features);

}  // namespace wn
