// The model file (model_file.hpp): a save and a load give back the network bit for bit, the
// bytes are exactly those the format documents, and every kind of bad file is refused with the
// kind of error that names its fault, never a crash or an absurd allocation.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "check.hpp"
#include "deltaprop/model_codec.hpp"
#include "deltaprop/model_file.hpp"

using namespace deltaprop;
using Bytes = std::vector<std::uint8_t>;
using Kind = ModelFileError::Kind;
namespace fs = std::filesystem;

namespace {

/// The kind of error decoding b raises (its message in *what), or nothing.
std::optional<Kind> kind_of(const Bytes& b, std::string* what = nullptr) {
    try {
        model_from_bytes(b);
    } catch (const ModelFileError& e) {
        if (what) *what = e.what();
        return e.kind();
    }
    return std::nullopt;
}

/// Decoding b raises a ModelFileError of this kind whose message contains text.
bool throws_kind(const Bytes& b, Kind kind, const char* text = "") {
    std::string what;
    const auto got = kind_of(b, &what);
    if (got == kind && what.find(text) != std::string::npos) return true;
    std::fprintf(stderr, "expected %s error with '%s', got %s: %s\n", to_string(kind), text,
                 got ? to_string(*got) : "none", what.c_str());
    return false;
}

/// Rewrites the length and checksum, as a writer would, after the bytes were altered.
Bytes reseal(Bytes b) {
    b.resize(b.size() - 4);
    const std::uint64_t length = b.size() + 4;
    for (int i = 0; i < 8; ++i) b[12 + i] = std::uint8_t(length >> (8 * i));
    const std::uint32_t crc = model_format::crc32(b.data(), b.size());
    for (int i = 0; i < 4; ++i) b.push_back(std::uint8_t(crc >> (8 * i)));
    return b;
}

void le(Bytes& b, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
}
void str(Bytes& b, const std::string& s) {
    b.push_back(std::uint8_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
}
/// The fields of version 2 that version 1 lacks.
struct Version2 {
    std::string loss = "squared_error";
    std::vector<std::string> hidden;  ///< one θ name per hidden layer
};

/// A hand-made file from its fields, sealed: the format as the spec states it. Version 1
/// without `v2`, version 2 with it.
Bytes hand_made(const std::string& kind, const std::string& dtype, const std::string& output,
                const std::vector<std::uint64_t>& dims, const Bytes& weight_bytes,
                const Bytes& extras = {0, 0, 0, 0}, const Version2* v2 = nullptr) {
    Bytes b = {0x89, 'D', 'P', 'M', '\r', '\n', 0x1A, '\n'};
    le(b, v2 ? 2 : 1, 4);
    le(b, 0, 8);
    str(b, kind);
    str(b, dtype);
    str(b, output);
    if (v2) str(b, v2->loss);
    le(b, dims.size(), 4);
    for (auto d : dims) le(b, d, 8);
    if (v2)
        for (const auto& name : v2->hidden) str(b, name);
    b.insert(b.end(), weight_bytes.begin(), weight_bytes.end());
    b.insert(b.end(), extras.begin(), extras.end());
    le(b, 0, 4);  // the checksum's place
    return reseal(b);
}

template <class T>
bool same_bits(const Network<T>& a, const Network<T>& b) {
    return a.dims() == b.dims() && a.output() == b.output() && a.loss() == b.loss() &&
           a.parts().hidden == b.parts().hidden &&
           std::memcmp(a.data(), b.data(), a.n_weights() * sizeof(T)) == 0;
}

template <class T>
void round_trip(const fs::path& dir) {
    Network<T> net({3, 7, 5, 2}, Output::identity, 42);
    // Values whose bits a careless format would lose: -0, a subnormal, the extremes, infinity
    // and a NaN with a payload.
    net.data()[0] = T(-0.0);
    net.data()[1] = std::numeric_limits<T>::denorm_min();
    net.data()[2] = std::numeric_limits<T>::max();
    net.data()[3] = std::numeric_limits<T>::lowest();
    net.data()[4] = std::numeric_limits<T>::infinity();
    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    const Bits nan_bits = sizeof(T) == 4 ? Bits(0x7FC01234u) : Bits(0x7FF8000000ABCDEFull);
    std::memcpy(&net.data()[5], &nan_bits, sizeof nan_bits);

    const std::vector<ExtraArray> extras = {
        {"scaler_min", {3}, {-1.5, 0.0, 2.25}},
        {"scalar", {}, {3.5}},
        {"empty", {0, 4}, {}},
        {"matrix", {2, 3}, {1, 2, 3, 4, 5, 6}},
    };
    const Bytes bytes = model_to_bytes(net, extras);
    Model m = model_from_bytes(bytes);
    CHECK(same_bits(m.as<T>(), net));
    CHECK(m.extras.size() == extras.size());
    for (std::size_t i = 0; i < extras.size() && i < m.extras.size(); ++i) {
        CHECK(m.extras[i].name == extras[i].name);
        CHECK(m.extras[i].shape == extras[i].shape);
        CHECK(m.extras[i].values == extras[i].values);
    }
    CHECK(m.extra("scaler_min") != nullptr && m.extra("nothing") == nullptr);
    // Canonical: encoding what was decoded gives the same bytes.
    CHECK(model_to_bytes(m.as<T>(), m.extras) == bytes);

    const std::string path = (dir / "model.dpm").string();
    save_model(path, net, extras);
    std::vector<ExtraArray> loaded_extras;
    Network<T> loaded = load_network<T>(path, &loaded_extras);
    CHECK(same_bits(loaded, net));
    CHECK(loaded_extras.size() == extras.size());
    CHECK(read_model_file(path) == bytes);

    // The other precision is refused by name, not converted.
    using Other = std::conditional_t<std::is_same<T, float>::value, double, float>;
    try {
        load_network<Other>(path);
        CHECK(false);
    } catch (const ModelFileError& e) {
        CHECK(e.kind() == Kind::wrong_dtype);
    }
}

void exact_bytes() {
    // The check value of CRC-32/IEEE: the checksum is the standard one (zlib.crc32, zip, PNG).
    const char* digits = "123456789";
    CHECK(model_format::crc32(reinterpret_cast<const std::uint8_t*>(digits), 9) == 0xCBF43926u);

    // A 1-1 identity network with W^(1) = [[1], [-2]]: its bytes, written out from the spec.
    Network<double> net({1, 1}, Output::identity);
    net.data()[0] = 1.0;
    net.data()[1] = -2.0;
    const Bytes weights = {0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0};
    const Version2 squared;
    const Bytes expected = hand_made("network", "float64", "identity", {1, 1}, weights,
                                     {0, 0, 0, 0}, &squared);
    CHECK(model_to_bytes(net) == expected);
    CHECK(expected.size() == 20 + 8 + 8 + 9 + 14 + 4 + 16 + 16 + 4 + 4);
    CHECK(expected[12] == expected.size() && expected[13] == 0);  // the length, little-endian

    Network<float> f({1, 1}, Output::tanh);
    f.data()[0] = 1.0f;
    f.data()[1] = -2.0f;
    CHECK(model_to_bytes(f) == hand_made("network", "float32", "tanh", {1, 1},
                                         {0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0}, {0, 0, 0, 0}, &squared));

    // Version 2 names each hidden layer's θ and the loss.
    Network<double> mixed({1, 1, 1, 2}, Parts{{Activation::relu, Activation::logistic},
                                              Activation::softmax, {}});
    const Version2 named{"cross_entropy", {"relu", "logistic"}};
    const Bytes mixed_bytes = hand_made("network", "float64", "softmax", {1, 1, 1, 2},
                                        Bytes(8 * mixed.n_weights()), {0, 0, 0, 0}, &named);
    CHECK(model_to_bytes(mixed) == mixed_bytes);
    const Network<double> back = model_from_bytes(mixed_bytes).as<double>();
    CHECK(same_bits(back, mixed) && back.activation(1) == Activation::relu &&
          back.activation(2) == Activation::logistic && back.loss() == Loss::cross_entropy);

    // A version-1 file (deltaprop before issue 18) reads as tanh hidden layers and the squared
    // error, and writes back as version 2.
    const Bytes old = hand_made("network", "float64", "identity", {1, 2, 1}, Bytes(8 * 7));
    const Network<double> read = model_from_bytes(old).as<double>();
    CHECK(read.activation(1) == Activation::tanh && read.output() == Output::identity &&
          read.loss() == Loss::squared_error);
    const Version2 tanh_hidden{"squared_error", {"tanh"}};
    CHECK(model_to_bytes(read) == hand_made("network", "float64", "identity", {1, 2, 1},
                                            Bytes(8 * 7), {0, 0, 0, 0}, &tanh_hidden));
}

void damaged_files() {
    Network<double> net({2, 3, 1}, Output::tanh, 7);
    const Bytes good = model_to_bytes(net, {{"scaler_max", {2}, {1.0, 2.0}}});

    for (std::size_t cut = 0; cut < good.size(); ++cut)
        CHECK(throws_kind(Bytes(good.begin(), good.begin() + long(cut)), Kind::truncated,
                          "truncated"));

    // Every single flipped bit is caught: in the magic as not-a-model-file, in the length as a
    // size mismatch, anywhere else by the checksum.
    for (std::size_t byte = 0; byte < good.size(); ++byte)
        for (int bit = 0; bit < 8; ++bit) {
            Bytes b = good;
            b[byte] ^= std::uint8_t(1u << bit);
            if (byte < 8) CHECK(throws_kind(b, Kind::bad_magic));
            else if (byte >= 12 && byte < 20)
                CHECK(kind_of(b) == Kind::truncated || kind_of(b) == Kind::corrupt);
            else CHECK(throws_kind(b, Kind::corrupt, "checksum mismatch"));
        }

    Bytes longer = good;
    longer.push_back(0);
    CHECK(throws_kind(longer, Kind::corrupt, "header says"));
    CHECK(throws_kind(Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}, Kind::bad_magic,
                      "not a deltaprop model file"));

    Bytes v3 = good;
    v3[8] = 3;
    CHECK(throws_kind(reseal(v3), Kind::wrong_version,
                      "format version 3; this deltaprop reads versions 1 to 2 (saved by a newer"));
    Bytes v0 = good;
    v0[8] = 0;
    CHECK(throws_kind(reseal(v0), Kind::wrong_version, "format version 0; this deltaprop reads"));
    CHECK(throws_kind(hand_made("netwerk", "float64", "tanh", {1, 1}, Bytes(16)), Kind::wrong_kind,
                      "holds a 'netwerk'"));
}

void lying_headers() {
    // Files whose checksum is right but whose counts are not: each is refused as invalid before
    // anything of the claimed size is allocated (run under ASan, an allocation of gigabytes
    // would fail loudly).
    const std::uint64_t big = (std::uint64_t(1) << 31) - 1;
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {big, big}, {}), Kind::invalid,
                      "too large"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1u << 20, 1000}, {}), Kind::invalid,
                      "the weights claims"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {std::uint64_t(1) << 40, 1}, {}),
                      Kind::invalid, "layer dimension"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {0, 1}, {}), Kind::invalid,
                      "layer dimension 0"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1}, {}), Kind::invalid,
                      "at least 2 layers"));
    CHECK(throws_kind(hand_made("network", "float16", "tanh", {1, 1}, Bytes(8)), Kind::invalid,
                      "dtype is 'float16'"));
    CHECK(throws_kind(hand_made("network", "float64", "relu", {1, 1}, Bytes(16)), Kind::invalid,
                      "output is 'relu'"));
    // Version 2's fields: a loss, the hidden θ, and the pair they make, each checked.
    const Version2 hinge{"hinge", {"tanh"}}, sigmoid{"squared_error", {"sigmoid"}},
        crossed{"cross_entropy", {"tanh"}}, none{"cross_entropy", {}};
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1, 1, 1}, Bytes(32), {0, 0, 0, 0},
                                &hinge), Kind::invalid, "loss must be one of"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1, 1, 1}, Bytes(32), {0, 0, 0, 0},
                                &sigmoid), Kind::invalid, "hidden layer 1: activation must be one of"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1, 1, 1}, Bytes(32), {0, 0, 0, 0},
                                &crossed), Kind::invalid, "is not a pair deltaprop has"));
    CHECK(throws_kind(hand_made("network", "float64", "softmax", {1, 1}, Bytes(16), {0, 0, 0, 0},
                                &none), Kind::invalid, "a softmax output needs at least 2 units"));
    Bytes many_layers = hand_made("network", "float64", "tanh", {1, 1}, Bytes(16));
    many_layers[20 + 8 + 8 + 5] = 0xFF;  // the low byte of the layer count, now 255
    CHECK(throws_kind(reseal(many_layers), Kind::invalid, "layer dimensions claims"));

    // Extras: a huge shape, a claimed count with nothing behind it, and a repeated name.
    Bytes huge = {1, 0, 0, 0};
    str(huge, "x");
    huge.push_back(2);
    le(huge, std::uint64_t(1) << 62, 8);
    le(huge, 1u << 30, 8);
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1, 1}, Bytes(16), huge),
                      Kind::invalid, "values of extra array 'x'"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1, 1}, Bytes(16), {0xFF, 0xFF, 0xFF, 0xFF}),
                      Kind::invalid, "runs past the end"));
    Bytes twice = {2, 0, 0, 0};
    for (int i = 0; i < 2; ++i) {
        str(twice, "a");
        twice.push_back(0);
        le(twice, 0, 8);
    }
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1, 1}, Bytes(16), twice),
                      Kind::invalid, "appears twice"));
    CHECK(throws_kind(hand_made("network", "float64", "tanh", {1, 1}, Bytes(17)), Kind::invalid,
                      "follow the last extra array"));

    // The writer refuses extras it could not store faithfully.
    Network<double> net({1, 1}, Output::tanh);
    CHECK_THROWS(model_to_bytes(net, {{"", {}, {1}}}), std::invalid_argument, "1 to 255 bytes");
    CHECK_THROWS(model_to_bytes(net, {{"a", {}, {1}}, {"a", {}, {2}}}), std::invalid_argument,
                 "appears twice");
    CHECK_THROWS(model_to_bytes(net, {{"a", {2, 2}, {1, 2, 3}}}), std::invalid_argument,
                 "different number");
    CHECK_THROWS(model_to_bytes(net, {{"a", {std::uint64_t(1) << 40, std::uint64_t(1) << 40}, {}}}),
                 std::invalid_argument, "different number");
}

void files(const fs::path& dir) {
    const std::string path = (dir / "net.dpm").string();
    try {
        load_model((dir / "missing.dpm").string());
        CHECK(false);
    } catch (const ModelFileError& e) {
        CHECK(e.kind() == Kind::io && e.error_number() == ENOENT);
        CHECK(std::string(e.what()).find("missing.dpm") != std::string::npos);
    }
    try {
        save_model((dir / "no" / "such" / "dir.dpm").string(), Network<double>({1, 1}, Output::tanh));
        CHECK(false);
    } catch (const ModelFileError& e) {
        CHECK(e.kind() == Kind::io && e.error_number() == ENOENT);
    }

    // Saving over a file replaces it whole and leaves no temporary file behind.
    Network<double> a({2, 4, 1}, Output::tanh, 1), b({2, 4, 1}, Output::tanh, 2);
    save_model(path, a);
    save_model(path, b);
    CHECK(same_bits(load_network<double>(path), b));
    std::size_t n_files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) n_files += entry.path().filename() == "net.dpm" ? 1 : 0;
    for (const auto& entry : fs::directory_iterator(dir))
        CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
    CHECK(n_files == 1);

    // A file cut short on disk reports itself truncated, and one with text appended as corrupt.
    Bytes bytes = read_model_file(path);
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size() / 2));
    }
    CHECK_THROWS(load_model(path), ModelFileError, "is truncated");
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
        out << "appended";
    }
    CHECK_THROWS(load_model(path), ModelFileError, "is corrupt");
    CHECK_THROWS(load_model(dir.string()), ModelFileError, "cannot");
}

}  // namespace

int main() {
    const fs::path dir = fs::temp_directory_path() /
                         ("deltaprop_test_model_file_" + std::to_string(model_format::process_id()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    round_trip<double>(dir);
    round_trip<float>(dir);
    exact_bytes();
    damaged_files();
    lying_headers();
    files(dir);
    fs::remove_all(dir);
    return report("test_model_file");
}
