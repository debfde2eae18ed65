// deltaprop/model_file.hpp — model files on disk: saving a network atomically and loading it
// back, in the format of model_codec.hpp.
//
// Saving writes a temporary file beside the target, flushes it to disk (fsync) and renames it
// over the target, so the target always holds either the old model or the new one, whole.
// Loading reads no further than the file's header announces.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "deltaprop/model_codec.hpp"
#include "deltaprop/network.hpp"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace deltaprop {

namespace model_format {

[[noreturn]] inline void io_error(const std::string& what, const std::string& path, int err) {
    throw ModelFileError(ModelFileError::Kind::io,
                         "cannot " + what + " model file '" + path + "': " + std::strerror(err),
                         err, path);
}

/// The directory part of path ("." when there is none), for the temporary file and its fsync.
inline std::string directory_of(const std::string& path) {
#ifdef _WIN32
    const auto slash = path.find_last_of("/\\");
#else
    const auto slash = path.find_last_of('/');
#endif
    if (slash == std::string::npos) return ".";
    return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}

#ifdef _WIN32
inline int open_new(const std::string& p) {
    return ::_open(p.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
}
inline long long write_some(int fd, const std::uint8_t* p, std::size_t n) {
    return ::_write(fd, p, unsigned(n < (1u << 30) ? n : (1u << 30)));
}
inline int flush_to_disk(int fd) { return ::_commit(fd); }
inline int close_file(int fd) { return ::_close(fd); }
inline int replace_file(const std::string& from, const std::string& to) {
    return ::MoveFileExA(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)
               ? 0
               : (errno = EIO, -1);
}
inline void flush_directory(const std::string&) {}  // MOVEFILE_WRITE_THROUGH did it
inline long process_id() { return long(::GetCurrentProcessId()); }
#else
inline int open_new(const std::string& p) {
    // Mode 0666 lets the umask decide, as for any file the user creates.
    return ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
}
inline long long write_some(int fd, const std::uint8_t* p, std::size_t n) { return ::write(fd, p, n); }
inline int flush_to_disk(int fd) { return ::fsync(fd); }
inline int close_file(int fd) { return ::close(fd); }
inline int replace_file(const std::string& from, const std::string& to) {
    return std::rename(from.c_str(), to.c_str());
}
/// Makes the rename itself durable. Best effort: some file systems cannot fsync a directory,
/// and the file is complete on disk either way.
inline void flush_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}
inline long process_id() { return long(::getpid()); }
#endif

}  // namespace model_format

/// Writes bytes to path atomically: into a new temporary file in the same directory, flushed
/// to disk, then renamed over path. A crash at any moment leaves path as it was or complete;
/// at worst a stray "<path>.tmp-…" file remains.
inline void write_model_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    namespace f = model_format;
    std::random_device entropy;
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; fd < 0; ++attempt) {
        tmp = path + ".tmp-" + std::to_string(f::process_id()) + "-" + std::to_string(entropy());
        fd = f::open_new(tmp);
        if (fd < 0 && (errno != EEXIST || attempt == 100)) f::io_error("create a temporary file for", path, errno);
    }
    auto abandon = [&](const char* what) {
        const int err = errno;
        f::close_file(fd);
        std::remove(tmp.c_str());
        f::io_error(what, path, err);
    };
    for (std::size_t done = 0; done < bytes.size();) {
        const long long n = f::write_some(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = EIO;  // no progress and no reason given
        if (n <= 0) abandon("write");
        done += std::size_t(n);
    }
    if (f::flush_to_disk(fd) != 0) abandon("flush to disk");
    if (f::close_file(fd) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        f::io_error("close", path, err);
    }
    if (f::replace_file(tmp, path) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        f::io_error("rename the temporary file onto", path, err);
    }
    f::flush_directory(f::directory_of(path));
}

/// Saves net (and extras) to path atomically; see write_model_file.
template <class T>
void save_model(const std::string& path, const Network<T>& net,
                const std::vector<ExtraArray>& extras = {}) {
    write_model_file(path, model_to_bytes(net, extras));
}

/// The bytes of the file at path, read only as far as its header's length allows (plus one
/// byte, to notice trailing data), so that pointing it at a huge file of another kind costs
/// nothing.
inline std::vector<std::uint8_t> read_model_file(const std::string& path) {
    namespace f = model_format;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) f::io_error("open", path, errno);
    std::vector<std::uint8_t> bytes;
    std::size_t limit = f::envelope_head;  // first the envelope, then what it announces
    for (bool head = true;;) {
        const std::size_t chunk = std::size_t(1) << 20;
        const std::size_t want = limit - bytes.size() < chunk ? limit - bytes.size() : chunk;
        const std::size_t old = bytes.size();
        bytes.resize(old + want);
        const std::size_t got = std::fread(bytes.data() + old, 1, want, file);
        bytes.resize(old + got);
        if (got < want) {
            if (std::ferror(file)) {
                const int err = errno;
                std::fclose(file);
                f::io_error("read", path, err);
            }
            break;  // end of file
        }
        if (bytes.size() == limit) {
            if (!head) break;
            head = false;
            if (std::memcmp(bytes.data(), f::magic.data(), f::magic.size()) != 0) break;
            const std::uint64_t length = f::read_le(bytes.data() + 12, 8);
            // One byte past the announced length reveals appended data; no more is needed.
            const std::uint64_t cap = length < SIZE_MAX - 1 ? length + 1 : SIZE_MAX - 1;
            if (cap <= limit) break;
            limit = std::size_t(cap);
        }
    }
    std::fclose(file);
    return bytes;
}

/// Loads the model file at path. Throws ModelFileError (see its Kind).
inline Model load_model(const std::string& path) {
    const std::vector<std::uint8_t> bytes = read_model_file(path);
    return model_from_bytes(bytes.data(), bytes.size(), path);
}

/// Loads the network of the model file at path as Network<T>; the extras, when wanted, go to
/// *extras. Throws ModelFileError, with Kind::wrong_dtype if the file holds the other type.
template <class T>
Network<T> load_network(const std::string& path, std::vector<ExtraArray>* extras = nullptr) {
    Model model = load_model(path);
    Network<T> net = std::move(model.as<T>());
    if (extras) *extras = std::move(model.extras);
    return net;
}

}  // namespace deltaprop
