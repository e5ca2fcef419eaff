#include "state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace patchbay {

Result<StateLock> StateLock::take(const std::string& state_dir) {
    std::string path = state_dir + "/lock";
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) return fail(ErrorKind::unavailable, "cannot open " + path + ": " + std::strerror(errno));
    own_like_state_dir(path, state_dir);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) return fail(ErrorKind::unavailable, "cannot lock " + path + ": " + std::strerror(errno));
        // The holder wrote its pid when it took the lock; only a hint for the message.
        char pid[32] = {};
        ssize_t n = ::pread(fd.get(), pid, sizeof pid - 1, 0);
        std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
        return fail(ErrorKind::conflict, state_dir + " is in use by another patchbay-controller" +
                                             (holder.empty() ? "" : " (pid " + holder + ")"));
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd.get(), 0) == 0) (void)!::pwrite(fd.get(), pid.data(), pid.size(), 0);
    return StateLock(std::move(fd));
}

void own_like_state_dir(const std::string& path, const std::string& state_dir) {
    struct stat dir {}, file {};
    if (::stat(state_dir.c_str(), &dir) != 0 || ::stat(path.c_str(), &file) != 0) return;
    if (file.st_uid != dir.st_uid || file.st_gid != dir.st_gid) (void)!::chown(path.c_str(), dir.st_uid, dir.st_gid);
}

}  // namespace patchbay
