#include "env_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd.h"

namespace patchbay {

namespace {

Result<void> make_dirs(const std::string& dir) {
    for (size_t at = 1; at <= dir.size(); ++at) {
        if (at != dir.size() && dir[at] != '/') continue;
        std::string part = dir.substr(0, at);
        if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
            return fail("cannot create " + part + ": " + std::strerror(errno));
    }
    return {};
}

}  // namespace

std::string env_file_text(const Action& start) {
    std::string out;
    out += "PATCHBAY_ADDRESS=" + start.key.address.str() + "\n";
    out += "PATCHBAY_PORT=" + std::to_string(start.key.port) + "\n";
    out += "PATCHBAY_TRANSPORT=" + start.key.transport + "\n";
    out += "PATCHBAY_DOMAIN=" + start.domain + "\n";
    out += "PATCHBAY_SERVICE=" + start.key.service + "\n";
    return out;
}

std::string env_file_path(const std::string& dir, const std::string& unit) {
    return dir + "/" + unit + ".env";
}

Result<void> write_env_file(const std::string& dir, const std::string& unit, const std::string& text) {
    if (auto ok = make_dirs(dir); !ok) return ok;
    std::string path = env_file_path(dir, unit);
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    {
        UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd) return fail("cannot write " + tmp + ": " + std::strerror(errno));
        size_t done = 0;
        while (done < text.size()) {
            ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                int e = errno;
                unlink(tmp.c_str());
                return fail("cannot write " + tmp + ": " + std::strerror(e));
            }
            done += static_cast<size_t>(n);
        }
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        unlink(tmp.c_str());
        return fail("cannot rename " + tmp + " to " + path + ": " + std::strerror(e));
    }
    return {};
}

Result<void> remove_env_file(const std::string& dir, const std::string& unit) {
    std::string path = env_file_path(dir, unit);
    if (unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail("cannot remove " + path + ": " + std::strerror(errno));
    return {};
}

}  // namespace patchbay
