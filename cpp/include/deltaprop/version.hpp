// deltaprop/version.hpp — the library's version, as the CMake package and the wheel carry it.
#pragma once

#define DELTAPROP_VERSION_MAJOR 0
#define DELTAPROP_VERSION_MINOR 1
#define DELTAPROP_VERSION_PATCH 0
#define DELTAPROP_VERSION_STRING "0.1.0"
