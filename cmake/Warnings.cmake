# Warning, sanitizer and fuzzing flags shared by every target of the project (not by consumers).
add_library(wn_build_flags INTERFACE)
target_compile_options(wn_build_flags INTERFACE -Wall -Wextra)
if(WAVENET_WERROR)
  target_compile_options(wn_build_flags INTERFACE -Werror)
endif()

set(_wn_sanitizers "")
if(WAVENET_SANITIZE_ADDRESS)
  list(APPEND _wn_sanitizers address)
endif()
if(WAVENET_SANITIZE_UNDEFINED)
  list(APPEND _wn_sanitizers undefined)
endif()
if(_wn_sanitizers)
  list(JOIN _wn_sanitizers "," _wn_sanitize_list)
  # A sanitizer report must fail the run, not scroll past: no recovery after the first one.
  target_compile_options(wn_build_flags INTERFACE -fsanitize=${_wn_sanitize_list}
                         -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(wn_build_flags INTERFACE -fsanitize=${_wn_sanitize_list})
endif()

# libFuzzer needs clang. Our own code gets coverage instrumentation so the fuzzers can steer;
# each harness links the fuzzer's main (tests/fuzz/CMakeLists.txt).
if(WAVENET_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WAVENET_FUZZ needs clang (CXX=clang++); this is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  target_compile_options(wn_build_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()
