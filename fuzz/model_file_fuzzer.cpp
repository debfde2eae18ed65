// model_file_fuzzer.cpp — libFuzzer target for the model-file reader (deltaprop/model_codec.hpp).
//
// Each input is decoded twice: as given, which exercises the envelope (magic, length,
// checksum, version), and "resealed" with its length and CRC-32 rewritten to be right, so that
// mutations reach the body's parser instead of dying at the checksum. Either way the reader
// must return a model or throw ModelFileError: any other exception, a crash, a sanitizer report
// or an allocation beyond -malloc_limit_mb is a bug. A decoded model must re-encode to exactly
// the input when the input is of the version written (the format is canonical), which checks the
// reader against the writer; an older version's re-encoding must decode to a model that
// re-encodes to the same bytes.
//
// Build and run: scripts/checks/fuzz.sh. A crashing input goes into fuzz/corpus/model_file/,
// where tests/test_model_file.py replays it on every test run.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "deltaprop/model_file.hpp"

namespace {

void decode_and_reencode(const std::uint8_t* data, std::size_t size) {
    try {
        deltaprop::Model model = deltaprop::model_from_bytes(data, size);
        const auto encode = [](const deltaprop::Model& m) {
            return std::visit(
                [&](const auto& net) { return deltaprop::model_to_bytes(net, m.extras); },
                m.network);
        };
        const std::vector<std::uint8_t> again = encode(model);
        const std::uint32_t version = std::uint32_t(deltaprop::model_format::read_le(data + 8, 4));
        if (version == deltaprop::model_format::version) {
            if (again.size() != size || std::memcmp(again.data(), data, size) != 0) std::abort();
        } else if (encode(deltaprop::model_from_bytes(again)) != again) {
            std::abort();
        }
    } catch (const deltaprop::ModelFileError&) {
        // The expected way to refuse a bad file.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    decode_and_reencode(data, size);

    namespace f = deltaprop::model_format;
    if (size >= f::envelope_head + f::checksum_size) {
        std::vector<std::uint8_t> sealed(data, data + size);
        for (int i = 0; i < 8; ++i) sealed[12 + i] = std::uint8_t(std::uint64_t(size) >> (8 * i));
        const std::size_t body_end = size - f::checksum_size;
        const std::uint32_t crc = f::crc32(sealed.data(), body_end);
        for (int i = 0; i < 4; ++i) sealed[body_end + i] = std::uint8_t(crc >> (8 * i));
        decode_and_reencode(sealed.data(), sealed.size());
    }
    return 0;
}
