# Every third-party dependency is found here, once, so the library targets only link names.

find_package(Torch REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)  # CRC-32 of checkpoint records (zlib comes with libpng-dev)

# c10d's Gloo and NCCL headers are only usable when these macros are defined. Gloo's headers come
# from libgloo-dev on Debian (not pulled in by libtorch-dev); NCCL exists only in CUDA builds.
find_path(WAVENET_GLOO_INCLUDE_DIR gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
set(WAVENET_HAVE_GLOO OFF)
if(WAVENET_GLOO_INCLUDE_DIR)
  set(WAVENET_HAVE_GLOO ON)
else()
  message(WARNING "Gloo headers not found (install libgloo-dev): CPU multi-process training disabled")
endif()

set(WAVENET_HAVE_NCCL OFF)
if(TORCH_CUDA_LIBRARIES OR TARGET torch_cuda)
  # NCCL_ROOT (variable or environment) first, then the CUDA toolkit's and LibTorch's headers.
  find_path(WAVENET_NCCL_INCLUDE_DIR nccl.h
    HINTS ${NCCL_ROOT} $ENV{NCCL_ROOT} ${CUDAToolkit_INCLUDE_DIRS} ${CUDA_INCLUDE_DIRS} ${CUDA_TOOLKIT_ROOT_DIR}
          ${TORCH_INCLUDE_DIRS}
    PATH_SUFFIXES include)
  if(WAVENET_NCCL_INCLUDE_DIR)
    set(WAVENET_HAVE_NCCL ON)
  else()
    message(WARNING "CUDA LibTorch without nccl.h: multi-GPU training will use Gloo through host memory. "
                    "Install NCCL's headers or set NCCL_ROOT, then configure again (see docs/gpu.md).")
  endif()
endif()
message(STATUS "wavenet: LibTorch ${Torch_VERSION}, Gloo ${WAVENET_HAVE_GLOO}, NCCL ${WAVENET_HAVE_NCCL} ${WAVENET_NCCL_INCLUDE_DIR}")

# One interface target carries LibTorch and its distributed macros to whoever links it.
add_library(wn_torch INTERFACE)
target_link_libraries(wn_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(wn_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
if(WAVENET_HAVE_GLOO)
  target_compile_definitions(wn_torch INTERFACE USE_C10D_GLOO)
endif()
if(WAVENET_HAVE_NCCL)
  target_compile_definitions(wn_torch INTERFACE USE_C10D_NCCL)
endif()

# SPTK (Debian libsptk-dev: a static C library, no pkg-config file): mel-cepstra for MCD.
find_library(WAVENET_SPTK_LIBRARY NAMES SPTK)
find_path(WAVENET_SPTK_INCLUDE_DIR SPTK.h)
if(NOT WAVENET_SPTK_LIBRARY OR NOT WAVENET_SPTK_INCLUDE_DIR)
  message(FATAL_ERROR "SPTK not found: install libsptk-dev (./setup.sh does)")
endif()
add_library(SPTK::SPTK STATIC IMPORTED)
set_target_properties(SPTK::SPTK PROPERTIES IMPORTED_LOCATION ${WAVENET_SPTK_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${WAVENET_SPTK_INCLUDE_DIR} INTERFACE_LINK_LIBRARIES m)

# Audio and data libraries, through pkg-config (Debian ships .pc files for all of them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
pkg_check_modules(FLUIDSYNTH REQUIRED IMPORTED_TARGET fluidsynth)
# PLplot's C API (module plplot; the C++ one is plplot-c++) draws dataio/figures; its pngcairo
# driver (plplot-driver-cairo) is loaded at run time.
pkg_check_modules(PLPLOT REQUIRED IMPORTED_TARGET plplot)
# Debian's HDF5 is the serial, threadsafe build; its headers live under hdf5/serial.
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5-serial)
