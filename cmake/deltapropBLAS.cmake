# Finding the CBLAS that deltaprop's large products go to. Used by the build and by the installed
# deltapropConfig.cmake, so a consumer resolves BLAS the same way the build did.
#
# deltaprop_find_blas(<var> [QUIET] [HINTS dir...])
#   Sets in the caller <var>_FOUND, <var>_LINK (what to link), <var>_DEFINITIONS (compile
#   definitions: DELTAPROP_BLAS_PREFIX=<prefix> when the symbols are renamed, DELTAPROP_OPENBLAS
#   when openblas_set_num_threads exists) and <var>_DESCRIPTION. Fails softly, so that a package
#   config can report "not found" the way find_dependency does instead of stopping the configure.
# deltaprop_resolve_blas(<target> [HINTS dir...])
#   The same, applied to the INTERFACE target <target>; a configure error when there is no CBLAS.
#
# Order: OpenBLAS's CMake config (scipy-openblas32's wheel ships one, with symbols prefixed
# `scipy_`; OpenBLAS_DIR, CMAKE_PREFIX_PATH or the hints point at it), then any BLAS that FindBLAS
# finds (system OpenBLAS, MKL, BLIS, Accelerate; BLA_VENDOR picks one). Settings read:
#   DELTAPROP_BLAS         auto (the default) or cblas (FindBLAS only)
#   DELTAPROP_BLAS_PREFIX  the symbol prefix, when it cannot be detected (it is for scipy-openblas)
include_guard(GLOBAL)

function(deltaprop_find_blas var)
  cmake_parse_arguments(ARG "QUIET" "" "HINTS" ${ARGN})
  set(quiet "")
  if(ARG_QUIET)
    set(quiet QUIET)
  endif()
  if(DELTAPROP_BLAS AND NOT DELTAPROP_BLAS MATCHES "^(auto|cblas)$")
    message(FATAL_ERROR "DELTAPROP_BLAS must be auto or cblas, got \"${DELTAPROP_BLAS}\"")
  endif()
  set(found FALSE)
  set(link "")
  set(definitions "")
  set(prefix "")
  if(NOT DELTAPROP_BLAS STREQUAL "cblas")
    find_package(OpenBLAS CONFIG QUIET HINTS ${ARG_HINTS})
    # scipy-openblas64 (64-bit integers, suffixed symbols) has another ABI: not usable here.
    if(OpenBLAS_FOUND AND "${OpenBLAS_LIBRARIES}" MATCHES "openblas64")
      message(STATUS "deltaprop: ignoring ${OpenBLAS_LIBRARIES}: 64-bit-integer BLAS")
    elseif(OpenBLAS_FOUND)
      if(TARGET OpenBLAS::OpenBLAS)
        set(link OpenBLAS::OpenBLAS)
      else()  # Debian's OpenBLASConfig.cmake sets variables only
        set(link ${OpenBLAS_LIBRARIES})
      endif()
      if("${OpenBLAS_LIBRARIES}" MATCHES "scipy_openblas")
        set(prefix "scipy_")
      endif()
      set(found TRUE)
      list(APPEND definitions DELTAPROP_OPENBLAS)
      set(description "OpenBLAS ${OpenBLAS_VERSION} (${OpenBLAS_LIBRARIES})")
    endif()
  endif()
  if(NOT found)
    find_package(BLAS ${quiet})
    if(BLAS_FOUND)
      set(found TRUE)
      set(link BLAS::BLAS)
      if("${BLAS_LIBRARIES}" MATCHES "(^|[/\\;])(lib)?openblas[op]?\\.")  # plain OpenBLAS
        list(APPEND definitions DELTAPROP_OPENBLAS)
      endif()
      set(description "FindBLAS (${BLAS_LIBRARIES})")
    endif()
  endif()
  if(DELTAPROP_BLAS_PREFIX)  # an explicit prefix wins
    set(prefix "${DELTAPROP_BLAS_PREFIX}")
  endif()
  if(prefix)
    list(APPEND definitions DELTAPROP_BLAS_PREFIX=${prefix})
  endif()
  set(${var}_FOUND ${found} PARENT_SCOPE)
  set(${var}_LINK "${link}" PARENT_SCOPE)
  set(${var}_DEFINITIONS "${definitions}" PARENT_SCOPE)
  set(${var}_DESCRIPTION "${description}" PARENT_SCOPE)
endfunction()

function(deltaprop_resolve_blas target)
  deltaprop_find_blas(blas ${ARGN})
  if(NOT blas_FOUND)
    message(FATAL_ERROR
      "deltaprop needs a CBLAS and found none. Either point CMake at scipy-openblas32's config:\n"
      "  -DOpenBLAS_DIR=$(python -c \"import os,scipy_openblas32 as s; "
      "print(os.path.join(s.get_lib_dir(),'cmake','openblas'))\")\n"
      "or install a system CBLAS (e.g. libopenblas-dev) and, if needed, choose it with -DBLA_VENDOR=...")
  endif()
  target_link_libraries(${target} INTERFACE ${blas_LINK})
  target_compile_definitions(${target} INTERFACE ${blas_DEFINITIONS})
  message(STATUS "deltaprop: BLAS is ${blas_DESCRIPTION}")
endfunction()
