# `cmake --install` puts the libraries, headers, presets and the program under the prefix, with a
# CMake package so another project can `find_package(wavenet)` and link wavenet::core/dataio/nets.
include(CMakePackageConfigHelpers)

install(TARGETS wn_core wn_dataio wn_nets wn_torch
        EXPORT wavenetTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS wavenet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(dir core dataio nets)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/wavenet/${dir}
          FILES_MATCHING PATTERN "*.h")
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/wavenet/configs)

set(WAVENET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/wavenet)
install(EXPORT wavenetTargets NAMESPACE wavenet:: DESTINATION ${WAVENET_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/wavenetConfig.cmake.in
  ${PROJECT_BINARY_DIR}/wavenetConfig.cmake INSTALL_DESTINATION ${WAVENET_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/wavenetConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/wavenetConfig.cmake
              ${PROJECT_BINARY_DIR}/wavenetConfigVersion.cmake
        DESTINATION ${WAVENET_CMAKE_DIR})
