# deltaprop_resolve_blas(<target>): make the INTERFACE target <target> link a CBLAS and carry
# DELTAPROP_BLAS_PREFIX, the prefix its symbols have. Used by the build and by the installed
# deltapropConfig.cmake, so a consumer resolves BLAS the same way the build did.
#
# Order: OpenBLAS's CMake config (scipy-openblas32's wheel ships one, with symbols prefixed
# `scipy_`; OpenBLAS_DIR or the hints point at it), then any BLAS that FindBLAS finds (system
# OpenBLAS, MKL, BLIS, Accelerate; unprefixed CBLAS symbols). DELTAPROP_BLAS=cblas skips the first.
include_guard(GLOBAL)

function(deltaprop_resolve_blas target)
  set(options)
  set(multi HINTS)
  cmake_parse_arguments(ARG "${options}" "" "${multi}" ${ARGN})
  set(prefix "")
  set(found FALSE)
  if(NOT DELTAPROP_BLAS STREQUAL "cblas")
    find_package(OpenBLAS CONFIG QUIET HINTS ${ARG_HINTS})
    if(OpenBLAS_FOUND)
      if(TARGET OpenBLAS::OpenBLAS)
        target_link_libraries(${target} INTERFACE OpenBLAS::OpenBLAS)
      else()  # Debian's OpenBLASConfig.cmake sets variables only
        target_link_libraries(${target} INTERFACE ${OpenBLAS_LIBRARIES})
        target_include_directories(${target} INTERFACE ${OpenBLAS_INCLUDE_DIRS})
      endif()
      if("${OpenBLAS_LIBRARIES}" MATCHES "scipy_openblas")
        set(prefix "scipy_")
      endif()
      set(found TRUE)
      target_compile_definitions(${target} INTERFACE DELTAPROP_OPENBLAS)
      message(STATUS "deltaprop: BLAS is OpenBLAS ${OpenBLAS_VERSION} (${OpenBLAS_LIBRARIES})")
    endif()
  endif()
  if(NOT found)
    find_package(BLAS REQUIRED)
    target_link_libraries(${target} INTERFACE BLAS::BLAS)
    message(STATUS "deltaprop: BLAS from FindBLAS (${BLAS_LIBRARIES})")
  endif()
  if(DELTAPROP_BLAS_PREFIX)  # an explicit prefix wins
    set(prefix "${DELTAPROP_BLAS_PREFIX}")
  endif()
  if(prefix)
    target_compile_definitions(${target} INTERFACE DELTAPROP_BLAS_PREFIX=${prefix})
  endif()
endfunction()
