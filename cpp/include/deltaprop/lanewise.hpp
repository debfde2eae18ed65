// deltaprop/lanewise.hpp — what the elementwise formulas (fast_tanh, fast_exp) need of their
// argument type V, a double, a float or a pack of either (simd.hpp): its scalar type and the
// integer types of its bit patterns, and the patterns themselves. One source then serves scalar
// code and the packed loops, with the same bits in both.
#pragma once

#include <cstdint>
#include <cstring>

#include "deltaprop/simd.hpp"

namespace deltaprop {
namespace detail {

template <class V>
struct Lanewise;
template <>
struct Lanewise<double> {
    using Scalar = double;
    using Bits = std::uint64_t;
    using Signed = std::int64_t;
};
template <>
struct Lanewise<float> {
    using Scalar = float;
    using Bits = std::uint32_t;
    using Signed = std::int32_t;
};
#ifdef DELTAPROP_PACKS
template <>
struct Lanewise<Pack<double>> {
    using Scalar = double;
    using Bits = PackOf<double>::bits;
    typedef std::int64_t Signed __attribute__((vector_size(64)));
};
template <>
struct Lanewise<Pack<float>> {
    using Scalar = float;
    using Bits = PackOf<float>::bits;
    typedef std::int32_t Signed __attribute__((vector_size(64)));
};
#endif

template <class V>
DELTAPROP_ALWAYS_INLINE typename Lanewise<V>::Bits bits_of(V v) {
    typename Lanewise<V>::Bits b;
    std::memcpy(&b, &v, sizeof(V));
    return b;
}
template <class V>
DELTAPROP_ALWAYS_INLINE V from_bits(typename Lanewise<V>::Bits b) {
    V v;
    std::memcpy(&v, &b, sizeof(V));
    return v;
}

/// The sign bit of the type's scalars, as a scalar bit pattern.
template <class V>
constexpr auto sign_bit() {
    using Bits = typename Lanewise<typename Lanewise<V>::Scalar>::Bits;
    return Bits(Bits(1) << (8 * sizeof(Bits) - 1));
}

}  // namespace detail
}  // namespace deltaprop
