// deltaprop/simd.hpp — how the hot loops are compiled: forced inlining of the small helpers,
// function multiversioning so that one binary carries SSE2, AVX2 and AVX-512 versions of each
// loop and the dynamic loader picks the widest the CPU has, packs of one register's worth of
// values for the loops that are written in terms of them, and mul_add, the fused multiply-add
// that every product of the core's own loops is made of.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__GNUC__)
#define DELTAPROP_ALWAYS_INLINE inline __attribute__((always_inline))
// The same for a lambda's call operator (after its parameter list): a lambda that is not
// inlined is a function of its own, compiled for the baseline instruction set even when it is
// written inside one of the clones below.
#define DELTAPROP_INLINE_LAMBDA __attribute__((always_inline))
#else
#define DELTAPROP_ALWAYS_INLINE inline
#define DELTAPROP_INLINE_LAMBDA
#endif
// Unrolls the loop it precedes completely: for the short loops over a chunk's packs, whose
// iterations are independent work the processor overlaps. GCC's own estimate counts a pack's
// mul_add as one call per lane and would keep such loops rolled. Not under AddressSanitizer:
// the same arithmetic rolled, and the instrumented unrolled code took GCC 6 minutes to
// compile for the Python module alone (2.6 rolled), most of CI's sanitizer check.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define DELTAPROP_UNROLL _Pragma("GCC unroll 16")
#else
#define DELTAPROP_UNROLL
#endif
// One function, several instruction sets, chosen at load time by the CPU (GCC, or Clang 14 and
// later, on x86-64 Linux, which has ifunc): x86-64-v3 (AVX2 and FMA) and x86-64-v4 (AVX-512),
// each of which has a fused multiply-add instruction, and the baseline, where mul_add is glibc's
// correctly rounded fma (slow, same bits). Elsewhere the plain build: there mul_add is one
// instruction where the target has FMA (arm64 always; x86-64 when compiled with
// -march=x86-64-v3 or later, /arch:AVX2 for MSVC) and a call to the C library's fma otherwise,
// several times slower (measured with Clang before it had clones here).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(DELTAPROP_NO_MULTIVERSION)
#define DELTAPROP_MULTIVERSION \
    __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#define DELTAPROP_CLONES 1
#elif defined(__clang__) && __clang_major__ >= 14 && defined(__x86_64__) && \
    defined(__linux__) && !defined(DELTAPROP_NO_MULTIVERSION)
// Clang 14's resolver never picks "arch=" clones (it ran the default one on an AVX-512 CPU);
// it does pick clones named by a feature, and its avx512f implies FMA.
#define DELTAPROP_MULTIVERSION __attribute__((target_clones("default", "fma", "avx512f")))
#define DELTAPROP_CLONES 1
#else
#define DELTAPROP_MULTIVERSION
#endif

namespace deltaprop {

/// a·b + c rounded once (IEEE fusedMultiplyAdd). The core's own loops compute every w·x + s
/// this way: one instruction where the CPU has FMA, half the rounding error of a product and a
/// sum, and, being correctly rounded, the same bits on every CPU, with or without the
/// instruction. (The build's -ffp-contract=off keeps the compiler from fusing other a·b + c on
/// some instruction sets and not others.)
DELTAPROP_ALWAYS_INLINE double mul_add(double a, double b, double c) { return std::fma(a, b, c); }
DELTAPROP_ALWAYS_INLINE float mul_add(float a, float b, float c) { return std::fma(a, b, c); }

/// x as the type V: itself for a scalar, in every lane for a pack (below).
template <class V, class T>
DELTAPROP_ALWAYS_INLINE V splat(T x) {
    if constexpr (std::is_arithmetic_v<V>) {
        return V(x);
    } else {
        V v{};  // zeroed first: at -O1 GCC cannot see the loop below sets every lane
        for (std::size_t k = 0; k < sizeof(V) / sizeof(v[0]); ++k) v[k] = x;
        return v;
    }
}

}  // namespace deltaprop

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

/// mul_add lane by lane; each instruction-set clone makes it one or more FMA instructions.
template <class P>
DELTAPROP_ALWAYS_INLINE P mul_add_lanes(P a, P b, P c) {
    P r;
    for (std::size_t k = 0; k < sizeof(P) / sizeof(a[0]); ++k) r[k] = mul_add(a[k], b[k], c[k]);
    return r;
}
DELTAPROP_ALWAYS_INLINE Pack<double> mul_add(Pack<double> a, Pack<double> b, Pack<double> c) {
    return mul_add_lanes(a, b, c);
}
DELTAPROP_ALWAYS_INLINE Pack<float> mul_add(Pack<float> a, Pack<float> b, Pack<float> c) {
    return mul_add_lanes(a, b, c);
}

namespace detail {
/// The pack of V values at p, and the pack v stored there (any alignment).
template <class T>
DELTAPROP_ALWAYS_INLINE Pack<T> load(const T* p) {
    Pack<T> v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <class T>
DELTAPROP_ALWAYS_INLINE void store(T* p, Pack<T> v) {
    std::memcpy(p, &v, sizeof v);
}
}  // namespace detail
}  // namespace deltaprop
#endif
