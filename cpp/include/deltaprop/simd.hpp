// deltaprop/simd.hpp — how the hot loops are compiled: forced inlining of the small helpers,
// function multiversioning so that one binary carries SSE2, AVX2 and AVX-512 versions of each
// loop and the dynamic loader picks the widest the CPU has, and packs of one register's worth of
// values for the loops that are written in terms of them.
#pragma once

#include <cstdint>

#if defined(__GNUC__)
#define DELTAPROP_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define DELTAPROP_ALWAYS_INLINE inline
#endif
// One function, several instruction sets, chosen at load time by the CPU (GCC on x86-64 with
// ifunc support). Elsewhere the plain build.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(DELTAPROP_NO_MULTIVERSION)
#define DELTAPROP_MULTIVERSION __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define DELTAPROP_MULTIVERSION
#endif

// Packs: 64 bytes of T (8 doubles or 16 floats) as a GNU vector type, with elementwise IEEE
// arithmetic. Each instruction-set clone lowers a pack operation to one AVX-512, two AVX2 or
// four SSE2 instructions, all computing the same correctly rounded results, so code written on
// packs gives the same bits everywhere. GCC and Clang have vector types; elsewhere
// DELTAPROP_PACKS stays undefined and the loops written on packs are not compiled.
// (Packs only live inside always-inline functions, so GCC's -Wpsabi note about passing 64-byte
// vectors without AVX-512 never applies; the CMake target turns it off.)
#if defined(__GNUC__) && !defined(DELTAPROP_NO_PACKS)
#define DELTAPROP_PACKS 1
namespace deltaprop {
template <class T>
struct PackOf;
template <>
struct PackOf<double> {
    typedef double type __attribute__((vector_size(64)));
    typedef std::uint64_t bits __attribute__((vector_size(64)));
};
template <>
struct PackOf<float> {
    typedef float type __attribute__((vector_size(64)));
    typedef std::uint32_t bits __attribute__((vector_size(64)));
};
/// 64 bytes of T: 8 doubles or 16 floats.
template <class T>
using Pack = typename PackOf<T>::type;
}  // namespace deltaprop
#endif
