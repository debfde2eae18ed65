# Install rules: the public headers and deltapropConfig.cmake (+ version file, targets, BLAS
# finder), so that a C++ project can find_package(deltaprop CONFIG) from an install prefix or
# from the pip-installed wheel. Off by default under add_subdirectory (DELTAPROP_INSTALL), so a
# parent project's install does not carry deltaprop's files unless it asks.
if(NOT DELTAPROP_INSTALL)
  return()
endif()
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Where the installed config looks for OpenBLAS's config (find_package HINTS; written verbatim
# into the file, so ${...} is expanded in the consumer's configure).
if(SKBUILD)  # inside the wheel: everything under site-packages/deltaprop/
  set(DELTAPROP_INSTALL_INCLUDEDIR "deltaprop/include")
  set(DELTAPROP_INSTALL_CMAKEDIR "deltaprop/share/cmake/deltaprop")
  # The scipy-openblas32 wheel installed beside this one (a dependency in pyproject.toml):
  # from site-packages/deltaprop/share/cmake/deltaprop up to site-packages/. The build
  # environment's copy is not recorded: pip deletes it after the build.
  set(DELTAPROP_CONFIG_BLAS_HINTS
    "\"\${CMAKE_CURRENT_LIST_DIR}/../../../../scipy_openblas32/lib/cmake/openblas\"")
else()
  set(DELTAPROP_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
  # Header-only: architecture-independent, so share/ rather than lib/.
  set(DELTAPROP_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/deltaprop")
  # An OpenBLAS installed into the same prefix, then the one this build used.
  set(DELTAPROP_CONFIG_BLAS_HINTS "\"\${PACKAGE_PREFIX_DIR}\"")
  if(OpenBLAS_DIR AND IS_ABSOLUTE "${OpenBLAS_DIR}" AND EXISTS "${OpenBLAS_DIR}")
    string(APPEND DELTAPROP_CONFIG_BLAS_HINTS " \"${OpenBLAS_DIR}\"")
  endif()
endif()
# The include directory recorded in the exported target.
set_property(TARGET deltaprop APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  $<INSTALL_INTERFACE:${DELTAPROP_INSTALL_INCLUDEDIR}>)

install(DIRECTORY cpp/include/deltaprop DESTINATION "${DELTAPROP_INSTALL_INCLUDEDIR}")
install(TARGETS deltaprop EXPORT deltapropTargets)
install(EXPORT deltapropTargets NAMESPACE deltaprop:: DESTINATION "${DELTAPROP_INSTALL_CMAKEDIR}")
configure_package_config_file(cmake/deltapropConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/deltapropConfig.cmake"
  INSTALL_DESTINATION "${DELTAPROP_INSTALL_CMAKEDIR}")
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/deltapropConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/deltapropConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/deltapropConfigVersion.cmake"
  cmake/deltapropBLAS.cmake
  DESTINATION "${DELTAPROP_INSTALL_CMAKEDIR}")
