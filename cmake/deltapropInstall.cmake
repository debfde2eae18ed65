# Install rules: the public headers and deltapropConfig.cmake (+ version file, targets, BLAS
# finder), so that a C++ project can find_package(deltaprop CONFIG) from an install prefix or
# from the pip-installed wheel.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

if(SKBUILD)  # inside the wheel: everything under site-packages/deltaprop/
  set(DELTAPROP_INSTALL_INCLUDEDIR "deltaprop/include")
  set(DELTAPROP_INSTALL_CMAKEDIR "deltaprop/share/cmake/deltaprop")
  # from site-packages/deltaprop/share/cmake/deltaprop to site-packages/scipy_openblas32/...
  set(DELTAPROP_OPENBLAS_HINT "../../../../scipy_openblas32/lib/cmake/openblas")
else()
  set(DELTAPROP_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
  set(DELTAPROP_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/deltaprop")
  set(DELTAPROP_OPENBLAS_HINT ".")
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
