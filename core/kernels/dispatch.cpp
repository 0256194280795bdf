// Chooses a kernel table from what the CPU supports.

#include <cstdlib>

#include "core/cpu_features.h"
#include "core/kernels/kernels.h"

namespace wn::kernels {

#if defined(__x86_64__)
const KernelTable* avx2_kernels_impl();
const KernelTable* avx512_kernels_impl();
const KernelTable* avx512bf16_kernels_impl();
const KernelTable* avx512bf16_emulated_kernels_impl();
#endif

const KernelTable* avx2_kernels() {
#if defined(__x86_64__)
  if (cpu_features().avx2 && cpu_features().fma) return avx2_kernels_impl();
#endif
  return nullptr;
}

const KernelTable* avx512_kernels() {
#if defined(__x86_64__)
  if (cpu_features().avx512f && cpu_features().avx512bw && cpu_features().fma) return avx512_kernels_impl();
#endif
  return nullptr;
}

const KernelTable* avx512bf16_kernels() {
#if defined(__x86_64__)
  if (avx512_kernels() && cpu_features().avx512bf16) return avx512bf16_kernels_impl();
#endif
  return nullptr;
}

const KernelTable* avx512bf16_emulated_kernels() {
#if defined(__x86_64__)
  if (avx512_kernels()) return avx512bf16_emulated_kernels_impl();
#endif
  return nullptr;
}

const KernelTable& kernels_named(const std::string& name) {
  if (name == "avx512bf16" && avx512bf16_kernels()) return *avx512bf16_kernels();
  if (name == "avx512bf16-emulated" && avx512bf16_emulated_kernels()) return *avx512bf16_emulated_kernels();
  if (name == "avx512" && avx512_kernels()) return *avx512_kernels();
  if (name == "avx2" && avx2_kernels()) return *avx2_kernels();
  if (name == "scalar") return scalar_kernels();
  return best_kernels();
}

const KernelTable& best_kernels() {
  if (const char* forced = std::getenv("WAVENET_KERNELS")) {
    const std::string name = forced;
    if (name == "scalar") return scalar_kernels();
    if (name == "avx2" && avx2_kernels()) return *avx2_kernels();
    if (name == "avx512" && avx512_kernels()) return *avx512_kernels();
  }
  if (avx512bf16_kernels()) return *avx512bf16_kernels();
  if (avx512_kernels()) return *avx512_kernels();
  if (avx2_kernels()) return *avx2_kernels();
  return scalar_kernels();
}

}  // namespace wn::kernels
