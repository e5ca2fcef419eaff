#include "atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "fd.h"

namespace patchbay {

namespace {

Result<void> write_all(int fd, std::string_view text) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(std::strerror(errno));
        done += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace

Result<void> write_atomically(const std::string& path, const std::string& temporary, std::string_view text) {
    {
        UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd) return fail(temporary + ": " + std::strerror(errno));
        auto ok = write_all(fd.get(), text);
        // fsync before the rename: the name must never point at data not yet on disk.
        if (ok && ::fsync(fd.get()) != 0) ok = fail(std::string("fsync: ") + std::strerror(errno));
        if (!ok) {
            ::unlink(temporary.c_str());
            return fail(temporary + ": " + ok.error());
        }
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(temporary.c_str());
        return fail(path + ": " + std::strerror(e));
    }
    // The rename lives in the directory: until it is on disk, a crash may bring back the
    // old file (or none). Best effort: the new file is in place and read back by name, so
    // a directory that cannot be fsync'ed must not make a caller think it unwritten (the
    // spool would then reuse its number).
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (UniqueFd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); d)
        (void)::fsync(d.get());
    return {};
}

}  // namespace patchbay
