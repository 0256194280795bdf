# Installs the built project into a scratch prefix, then configures, builds and runs a separate
# project that uses it through find_package(wavenet). Run by CTest with -DSOURCE_DIR -DBUILD_DIR
# -DWORK_DIR, and -DPYTHON -DPYTHON_MODULE_DIR (relative to the prefix) when the module is built.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

run_step(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run_step(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/install/consumer" -B "${WORK_DIR}/build"
         -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/build" -j2)
run_step("${WORK_DIR}/build/consumer" "${prefix}/share/wavenet/configs/r64k2.yaml")
if(NOT step_output MATCHES "receptive field 2047")
  message(FATAL_ERROR "consumer printed unexpected output: ${step_output}")
endif()
run_step("${prefix}/bin/wavenet" config show --config r64k2)
if(NOT step_output MATCHES "wavenet: receptive field 2047 samples")
  message(FATAL_ERROR "installed wavenet did not find its installed presets: ${step_output}")
endif()
if(PYTHON_MODULE_DIR)
  # The installed Python module imports from the prefix, not the build tree (no semicolons in
  # the code: run_step's arguments are a CMake list).
  set(ENV{PYTHONPATH} "${prefix}/${PYTHON_MODULE_DIR}")
  run_step("${PYTHON}" -c "import wavenet\nprint(wavenet.__file__)\nprint(wavenet.config('r64k2')['model']['layers'])")
  string(FIND "${step_output}" "${prefix}/${PYTHON_MODULE_DIR}/wavenet." at)
  if(NOT at EQUAL 0)
    message(FATAL_ERROR "the installed Python module was not imported from ${prefix}/${PYTHON_MODULE_DIR}: ${step_output}")
  endif()
endif()
message(STATUS "install test passed")
