// deltaprop/simd.hpp — how the hot loops are compiled: forced inlining of the small helpers,
// and function multiversioning so that one binary carries SSE2, AVX2 and AVX-512 versions of
// each loop and the dynamic loader picks the widest the CPU has.
#pragma once

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
