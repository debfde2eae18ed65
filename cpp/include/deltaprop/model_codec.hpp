// deltaprop/model_codec.hpp — the deltaprop model file, version 2 (version 1 is read too): a
// network (and named extra arrays) to bytes and back. Reading and writing files is model_file.hpp's.
//
// One binary format, encoded and decoded by this header alone, so that Python (`net.save`,
// `deltaprop.load`, pickling) and C++ programs exchange the same files. Every number has a fixed
// width and is little-endian whatever the host, floating-point values are IEEE 754 bit patterns
// (a save and a load give back the weights bit for bit), and no text is parsed as numbers, so
// locales play no part.
//
// Layout (u8/u32/u64: unsigned integers of 1, 4, 8 bytes; str: a u8 length n, then n bytes):
//
//   offset  size      field
//   ---- envelope (the same in every format version) ----
//   0       8         magic: 89 44 50 4D 0D 0A 1A 0A  ("\x89DPM\r\n\x1a\n"; as in PNG, the
//                     high byte and the line endings reveal a 7-bit or text-mode transfer)
//   8       4         u32 format version: 2 (this deltaprop reads 1 and 2, writes 2)
//   12      8         u64 length of the whole file in bytes, checksum included
//   ---- body of version 2 ----
//   20      1+n       str kind: "network"
//           1+n       str dtype: "float32" or "float64"
//           1+n       str output θ: an output θ's name (parts.hpp: tanh, identity, logistic, softmax)
//           1+n       str loss: a loss's name (parts.hpp: squared_error, cross_entropy)
//           4         u32 c = L + 1, the number of layers counting the input (2 ≤ c)
//           8c        u64 d^(0), ..., d^(L)
//           c−2 times str: the θ of hidden layer 1, ..., L−1 (parts.hpp: tanh, logistic, relu,
//                     identity)
//           s·W       the weights W^(1), ..., W^(L), each (d^(ℓ-1)+1) × d^(ℓ) row by row with
//                     the biases in row 0 (the in-memory layout of Network), s = 4 or 8 bytes
//                     each (IEEE 754 binary32/binary64); W = Σ_ℓ (d^(ℓ-1)+1) d^(ℓ)
//           4         u32 E, the number of extra arrays (E = 0 when there are none)
//           E times:  str name (1 to 255 bytes of UTF-8, unique in the file),
//                     u8 k = number of axes (0 to 32), k × u64 shape,
//                     Π shape × binary64 values, row-major (C order)
//   ---- envelope ----
//   end-4   4         u32 CRC-32 (IEEE 802.3, the one of zlib.crc32) of every byte before it
//
// A reader checks, in this order: the magic (else bad_magic), the length against the bytes it
// has (fewer: truncated; more: corrupt), the checksum (corrupt), the version (wrong_version),
// the kind (wrong_kind), then the body, where every count and dimension is checked against the
// limits of Layout and against the bytes that remain before anything is allocated (invalid).
// Because the envelope never changes, a damaged file is told apart from a newer one. Version 2
// files are canonical: encoding what was decoded gives back the same bytes.
//
// Version 1 (deltaprop 0.1 before issue 18) has no loss field and no hidden θ: its networks
// have tanh hidden layers and the squared error, and it is read as such (and written back as
// version 2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "deltaprop/network.hpp"

namespace deltaprop {

/// A model file (or model bytes) that cannot be read or written, saying why in kind().
class ModelFileError : public std::runtime_error {
public:
    enum class Kind {
        io,             ///< the operating system refused: open, read, write, rename (see error_number)
        bad_magic,      ///< not a deltaprop model file at all
        truncated,      ///< shorter than its header says: a copy or a save that did not finish
        corrupt,        ///< checksum mismatch, or bytes after the end: damaged in storage or transit
        wrong_version,  ///< a format version this deltaprop does not read
        wrong_kind,     ///< a valid file holding something other than a network
        wrong_dtype,    ///< asked for float weights from a double file, or the reverse
        invalid,        ///< checksum right but contents inconsistent (a buggy or crafted writer)
    };

    ModelFileError(Kind kind, const std::string& message, int error_number = 0,
                   std::string path = {})
        : std::runtime_error(message), kind_(kind), errno_(error_number), path_(std::move(path)) {}

    Kind kind() const { return kind_; }
    /// errno of the failed system call for Kind::io, else 0.
    int error_number() const { return errno_; }
    /// The file concerned, when there is one.
    const std::string& path() const { return path_; }

private:
    Kind kind_;
    int errno_;
    std::string path_;
};

inline const char* to_string(ModelFileError::Kind k) {
    switch (k) {
        case ModelFileError::Kind::io: return "io";
        case ModelFileError::Kind::bad_magic: return "bad_magic";
        case ModelFileError::Kind::truncated: return "truncated";
        case ModelFileError::Kind::corrupt: return "corrupt";
        case ModelFileError::Kind::wrong_version: return "wrong_version";
        case ModelFileError::Kind::wrong_kind: return "wrong_kind";
        case ModelFileError::Kind::wrong_dtype: return "wrong_dtype";
        case ModelFileError::Kind::invalid: return "invalid";
    }
    return "unknown";
}

/// A named array of doubles stored beside the weights, e.g. an estimator's feature scaling
/// ("scaler_min", "scaler_max"). values holds Π shape numbers in row-major order; an empty
/// shape is a scalar (one value).
struct ExtraArray {
    std::string name;
    std::vector<std::uint64_t> shape;
    std::vector<double> values;
};

/// What a model file holds: a network of either precision, and the extra arrays in file order.
struct Model {
    std::variant<Network<double>, Network<float>> network;
    std::vector<ExtraArray> extras;

    /// The network as Network<T>; throws ModelFileError(wrong_dtype) if it was saved as the
    /// other type (converting silently would either lose bits or pretend to a precision the
    /// weights never had).
    template <class T>
    const Network<T>& as() const {
        if (auto* net = std::get_if<Network<T>>(&network)) return *net;
        throw ModelFileError(ModelFileError::Kind::wrong_dtype,
                             std::string("the model holds ") +
                                 (std::holds_alternative<Network<float>>(network) ? "float32"
                                                                                  : "float64") +
                                 " weights, asked for " +
                                 (std::is_same<T, float>::value ? "float32" : "float64"));
    }
    template <class T>
    Network<T>& as() {
        return const_cast<Network<T>&>(static_cast<const Model&>(*this).as<T>());
    }

    /// The extra array called name, or nullptr.
    const ExtraArray* extra(const std::string& name) const {
        for (const auto& e : extras)
            if (e.name == name) return &e;
        return nullptr;
    }
};

namespace model_format {

inline constexpr std::array<std::uint8_t, 8> magic = {0x89, 'D', 'P', 'M', '\r', '\n', 0x1A, '\n'};
inline constexpr std::uint32_t version = 2;         ///< the version written
inline constexpr std::uint32_t oldest_version = 1;  ///< the oldest version read
/// magic + version + length: what every version starts with.
inline constexpr std::size_t envelope_head = 8 + 4 + 8;
inline constexpr std::size_t checksum_size = 4;
inline constexpr const char* network_kind = "network";
inline constexpr std::size_t max_name_bytes = 255;
inline constexpr std::size_t max_extra_axes = 32;

/// CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
/// the checksum of zip, PNG and zlib.crc32: it catches every burst of up to 32 flipped bits.
class Crc32 {
public:
    void update(const std::uint8_t* p, std::size_t n) {
        static const std::array<std::uint32_t, 256> table = make_table();
        std::uint32_t c = ~state_;
        for (std::size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
        state_ = ~c;
    }
    std::uint32_t value() const { return state_; }

private:
    static std::array<std::uint32_t, 256> make_table() {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }
    std::uint32_t state_ = 0;
};

inline std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
    Crc32 c;
    c.update(p, n);
    return c.value();
}

/// Appends fixed-width little-endian fields to a byte buffer.
class Writer {
public:
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u32(std::uint32_t v) { little_endian(v, 4); }
    void u64(std::uint64_t v) { little_endian(v, 8); }
    void str(const std::string& s) {
        u8(std::uint8_t(s.size()));  // callers keep s within 255 bytes
        out_.insert(out_.end(), s.begin(), s.end());
    }
    /// Floating-point values by their bit patterns, so NaN payloads and -0 survive.
    template <class T>
    void reals(const T* v, std::size_t n) {
        using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        std::size_t at = out_.size();
        out_.resize(at + n * sizeof(T));  // then store in place: no per-byte push_back
        for (std::size_t i = 0; i < n; ++i) {
            Bits b;
            std::memcpy(&b, &v[i], sizeof b);
            for (std::size_t k = 0; k < sizeof b; ++k) out_[at++] = std::uint8_t(b >> (8 * k));
        }
    }
    std::vector<std::uint8_t>& bytes() { return out_; }

private:
    void little_endian(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out_.push_back(std::uint8_t(v >> (8 * i)));
    }
    std::vector<std::uint8_t> out_;
};

/// Reads fixed-width little-endian fields from bytes it never runs past: every read first
/// checks what remains, so a lying count cannot make it read, or allocate, beyond the data.
/// offset is where p sits in the file, so that messages give file offsets; source and path
/// name the file in messages.
class Reader {
public:
    Reader(const std::uint8_t* p, std::size_t n, std::size_t offset, std::string source,
           std::string path)
        : p_(p), n_(n), offset_(offset), source_(std::move(source)), path_(std::move(path)) {}

    std::size_t remaining() const { return n_ - at_; }

    std::uint8_t u8(const char* what) { return std::uint8_t(little_endian(1, what)); }
    std::uint32_t u32(const char* what) { return std::uint32_t(little_endian(4, what)); }
    std::uint64_t u64(const char* what) { return little_endian(8, what); }
    std::string str(const char* what) {
        const std::size_t n = u8(what);
        need(n, what);
        std::string s(reinterpret_cast<const char*>(p_ + at_), n);
        at_ += n;
        return s;
    }
    template <class T>
    void reals(T* v, std::size_t n, const char* what) {
        using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        need_items(n, sizeof(T), what);  // once for all n, so the loop needs no checks
        for (std::size_t i = 0; i < n; ++i, at_ += sizeof(T)) {
            Bits b = 0;
            for (std::size_t k = 0; k < sizeof b; ++k) b |= Bits(p_[at_ + k]) << (8 * k);
            std::memcpy(&v[i], &b, sizeof b);
        }
    }
    /// Throws unless n items of size bytes each remain; call before allocating room for them.
    void need_items(std::uint64_t n, std::size_t size, const char* what) const {
        if (n > remaining() / size)
            fail(std::string(what) + " claims " + std::to_string(n) + " entries of " +
                 std::to_string(size) + " bytes, but only " + std::to_string(remaining()) +
                 " bytes remain");
    }

    [[noreturn]] void fail(const std::string& why) const {
        throw ModelFileError(ModelFileError::Kind::invalid,
                             source_ + " is invalid at byte " + std::to_string(offset_ + at_) +
                                 ": " + why,
                             0, path_);
    }
    const std::string& source() const { return source_; }
    const std::string& path() const { return path_; }

private:
    void need(std::size_t n, const char* what) const {
        if (n > remaining())
            fail(std::string(what) + " runs past the end of the data (" +
                 std::to_string(remaining()) + " bytes remain, " + std::to_string(n) + " needed)");
    }
    std::uint64_t little_endian(std::size_t n, const char* what) {
        need(n, what);
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t(p_[at_ + i]) << (8 * i);
        at_ += n;
        return v;
    }

    const std::uint8_t* p_;
    std::size_t n_, offset_, at_ = 0;
    std::string source_, path_;
};

inline std::uint64_t read_le(const std::uint8_t* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t(p[i]) << (8 * i);
    return v;
}

/// Π shape, or cap + 1 when that is more than cap (computed without overflow); a zero-length
/// axis makes it 0 whatever the others.
inline std::uint64_t element_count(const std::vector<std::uint64_t>& shape, std::uint64_t cap) {
    for (std::uint64_t s : shape)
        if (s == 0) return 0;
    std::uint64_t n = 1;
    for (std::uint64_t s : shape) {
        if (n > cap / s) return cap + 1;
        n *= s;
    }
    return n;
}

inline void check_extras(const std::vector<ExtraArray>& extras) {
    if (extras.size() > 0xFFFFFFFFu) throw std::invalid_argument("too many extra arrays");
    for (std::size_t i = 0; i < extras.size(); ++i) {
        const ExtraArray& e = extras[i];
        if (e.name.empty() || e.name.size() > max_name_bytes)
            throw std::invalid_argument("extra array name '" + e.name + "' must have 1 to " +
                                        std::to_string(max_name_bytes) + " bytes");
        for (std::size_t j = 0; j < i; ++j)
            if (extras[j].name == e.name)
                throw std::invalid_argument("extra array name '" + e.name + "' appears twice");
        if (e.shape.size() > max_extra_axes)
            throw std::invalid_argument("extra array '" + e.name + "' has " +
                                        std::to_string(e.shape.size()) + " axes, at most " +
                                        std::to_string(max_extra_axes) + " are stored");
        if (element_count(e.shape, e.values.size()) != e.values.size())
            throw std::invalid_argument("extra array '" + e.name + "' has " +
                                        std::to_string(e.values.size()) +
                                        " values, its shape needs a different number");
    }
}

/// Decodes the body (of the given version) of a file whose envelope and checksum have been
/// checked.
inline Model read_body(Reader& in, std::uint32_t version) {
    const std::string kind = in.str("kind");
    if (kind != network_kind)
        throw ModelFileError(ModelFileError::Kind::wrong_kind,
                             in.source() + " holds a '" + kind + "', not a '" + network_kind + "'",
                             0, in.path());
    const std::string dtype = in.str("dtype");
    if (dtype != "float32" && dtype != "float64")
        in.fail("dtype is '" + dtype + "', expected 'float32' or 'float64'");
    const std::string output = in.str("output");
    Parts parts;
    try {
        parts.output = output_from_string(output);  // the names are parts.hpp's
    } catch (const std::invalid_argument&) {
        in.fail("output is '" + output + "', expected one of " + output_name_list());
    }
    parts.loss = Loss::squared_error;  // version 1's
    if (version >= 2) {
        const std::string loss = in.str("loss");
        try {
            parts.loss = loss_from_string(loss);
        } catch (const std::invalid_argument& e) {
            in.fail(e.what());
        }
    }

    const std::uint32_t n_dims = in.u32("number of layers");
    if (n_dims < 2) in.fail("a network needs at least 2 layers, the file says " + std::to_string(n_dims));
    in.need_items(n_dims, 8, "the layer dimensions");
    std::vector<std::size_t> dims(n_dims);
    for (auto& d : dims) {
        const std::uint64_t v = in.u64("a layer dimension");
        if (v == 0 || v >= Layout::max_weights)
            in.fail("layer dimension " + std::to_string(v) + " is not in 1.." +
                    std::to_string(Layout::max_weights - 1));
        d = std::size_t(v);
    }
    Layout layout;
    try {
        layout = Layout(dims);
    } catch (const std::invalid_argument& e) {
        in.fail(e.what());
    }
    if (version >= 2)
        for (std::size_t l = 1; l + 1 < n_dims; ++l) {
            const std::string name = in.str("a hidden layer's activation");
            try {
                parts.hidden.push_back(activation_from_string(name, true));
            } catch (const std::invalid_argument& e) {
                in.fail("hidden layer " + std::to_string(l) + ": " + e.what());
            }
        }
    try {
        layer_activations(parts, n_dims - 2, dims.back());  // the pair, softmax's width
    } catch (const std::invalid_argument& e) {
        in.fail(e.what());
    }
    const std::size_t size = dtype == "float32" ? 4 : 8;
    in.need_items(layout.n_weights(), size, "the weights");  // before allocating them

    auto read_network = [&](auto tag) {
        using T = decltype(tag);
        Network<T> net(dims, parts);
        in.reals(net.data(), net.n_weights(), "the weights");
        return net;
    };
    Model model{size == 4 ? decltype(Model::network)(read_network(float{}))
                          : decltype(Model::network)(read_network(double{})),
                {}};

    // No room is reserved for the claimed number of extras: each read below checks the bytes
    // that remain, so a false count fails at the first array that is not there.
    const std::uint32_t n_extras = in.u32("number of extra arrays");
    for (std::uint32_t i = 0; i < n_extras; ++i) {
        ExtraArray e;
        e.name = in.str("an extra array's name");
        if (e.name.empty()) in.fail("an extra array has an empty name");
        if (model.extra(e.name)) in.fail("extra array '" + e.name + "' appears twice");
        const std::size_t axes = in.u8("an extra array's number of axes");
        if (axes > max_extra_axes)
            in.fail("extra array '" + e.name + "' has " + std::to_string(axes) + " axes, at most " +
                    std::to_string(max_extra_axes) + " are allowed");
        in.need_items(axes, 8, "an extra array's shape");
        e.shape.resize(axes);
        for (auto& s : e.shape) s = in.u64("an extra array's shape");
        const std::uint64_t count = element_count(e.shape, in.remaining() / 8);
        in.need_items(count, 8, ("the values of extra array '" + e.name + "'").c_str());
        e.values.resize(std::size_t(count));
        in.reals(e.values.data(), e.values.size(), "an extra array's values");
        model.extras.push_back(std::move(e));
    }
    if (in.remaining() != 0)
        in.fail(std::to_string(in.remaining()) + " bytes follow the last extra array");
    return model;
}

inline std::string describe(const std::string& path) {
    return path.empty() ? "model data" : "model file '" + path + "'";
}

}  // namespace model_format

/// The bytes of a model file holding net and the extra arrays.
template <class T>
std::vector<std::uint8_t> model_to_bytes(const Network<T>& net,
                                         const std::vector<ExtraArray>& extras = {}) {
    namespace f = model_format;
    f::check_extras(extras);
    f::Writer w;
    for (auto b : f::magic) w.u8(b);
    w.u32(f::version);
    w.u64(0);  // the length, filled in below
    w.str(f::network_kind);
    w.str(std::is_same<T, float>::value ? "float32" : "float64");
    w.str(to_string(net.output()));
    w.str(to_string(net.loss()));
    w.u32(std::uint32_t(net.dims().size()));  // Layout keeps dims well under 2^32 entries
    for (std::size_t d : net.dims()) w.u64(d);
    for (std::size_t l = 1; l < net.n_layers(); ++l) w.str(to_string(net.activation(l)));
    w.reals(net.data(), net.n_weights());
    w.u32(std::uint32_t(extras.size()));
    for (const ExtraArray& e : extras) {
        w.str(e.name);
        w.u8(std::uint8_t(e.shape.size()));
        for (std::uint64_t s : e.shape) w.u64(s);
        w.reals(e.values.data(), e.values.size());
    }
    std::vector<std::uint8_t>& out = w.bytes();
    const std::uint64_t length = out.size() + f::checksum_size;
    for (int i = 0; i < 8; ++i) out[12 + i] = std::uint8_t(length >> (8 * i));
    const std::uint32_t crc = f::crc32(out.data(), out.size());
    for (int i = 0; i < 4; ++i) out.push_back(std::uint8_t(crc >> (8 * i)));
    return std::move(out);
}

/// Decodes the bytes of a model file; path only names the file in messages (empty: "model data").
/// Throws ModelFileError, whose kind() says what is wrong; never reads or allocates beyond what
/// the data can hold.
inline Model model_from_bytes(const std::uint8_t* data, std::size_t size,
                              const std::string& path = {}) {
    namespace f = model_format;
    using Kind = ModelFileError::Kind;
    const std::string source = f::describe(path);
    auto error = [&](Kind kind, const std::string& why) { return ModelFileError(kind, source + why, 0, path); };

    const std::size_t have = size < f::magic.size() ? size : f::magic.size();
    if (have > 0 && std::memcmp(data, f::magic.data(), have) != 0)
        throw error(Kind::bad_magic, " is not a deltaprop model file (its first bytes are not the "
                                     "magic number \\x89DPM\\r\\n\\x1a\\n)");
    if (size < f::envelope_head + f::checksum_size)
        throw error(Kind::truncated, " is truncated: " + std::to_string(size) +
                                         " bytes, fewer than any model file has");
    const std::uint64_t length = f::read_le(data + 12, 8);
    if (length > size)
        throw error(Kind::truncated, " is truncated: its header says " + std::to_string(length) +
                                         " bytes, there are only " + std::to_string(size));
    if (length < size)
        throw error(Kind::corrupt, " is corrupt: its header says " + std::to_string(length) +
                                       " bytes, there are " + std::to_string(size) +
                                       " (the length field is damaged or bytes were appended)");
    const std::size_t body_end = size - f::checksum_size;
    const std::uint32_t stored = std::uint32_t(f::read_le(data + body_end, 4));
    const std::uint32_t computed = f::crc32(data, body_end);
    if (stored != computed) {
        char hex[64];
        std::snprintf(hex, sizeof hex, "stored %08X, computed %08X", unsigned(stored), unsigned(computed));
        throw error(Kind::corrupt, std::string(" is corrupt: checksum mismatch (CRC-32 ") + hex + ")");
    }
    const std::uint32_t version = std::uint32_t(f::read_le(data + 8, 4));
    if (version < f::oldest_version || version > f::version)
        throw error(Kind::wrong_version, " has format version " + std::to_string(version) +
                                             "; this deltaprop reads versions " +
                                             std::to_string(f::oldest_version) + " to " +
                                             std::to_string(f::version) +
                                             (version > f::version ? " (saved by a newer deltaprop)" : ""));
    f::Reader in(data + f::envelope_head, body_end - f::envelope_head, f::envelope_head, source, path);
    return f::read_body(in, version);
}

inline Model model_from_bytes(const std::vector<std::uint8_t>& bytes, const std::string& path = {}) {
    return model_from_bytes(bytes.data(), bytes.size(), path);
}

}  // namespace deltaprop
