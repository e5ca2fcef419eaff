#include "spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "atomic_file.h"
#include "fd.h"
#include "log.h"

namespace patchbay {

namespace {

namespace fs = std::filesystem;

constexpr const char* kSuffix = ".json";
constexpr const char* kTemporary = ".tmp";

// "00000000000000000042.json" ⇒ 42; anything else ⇒ 0 (not ours).
uint64_t number_of(const std::string& name) {
    if (name.size() != 20 + std::strlen(kSuffix) || !name.ends_with(kSuffix)) return 0;
    uint64_t n = 0;
    for (size_t i = 0; i < 20; ++i) {
        if (name[i] < '0' || name[i] > '9') return 0;
        n = n * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    return n;
}

}  // namespace

Result<Spool> Spool::open(std::string dir, size_t max) {
    Spool s(std::move(dir), std::max<size_t>(max, 1));
    std::error_code ec;
    fs::create_directories(s.dir_, ec);
    if (ec) return fail("spool_dir " + s.dir_ + ": cannot create: " + ec.message());
    std::vector<uint64_t> found;
    for (auto it = fs::directory_iterator(s.dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.ends_with(kTemporary)) {
            fs::remove(it->path(), ec);  // a write a crash interrupted: never renamed, never whole
            ec.clear();
        } else if (uint64_t n = number_of(name)) {
            found.push_back(n);
        }
    }
    if (ec) return fail("spool_dir " + s.dir_ + ": cannot list: " + ec.message());
    std::sort(found.begin(), found.end());
    s.files_.assign(found.begin(), found.end());
    if (!found.empty()) s.next_ = found.back() + 1;
    s.trim();
    return s;
}

std::string Spool::path_of(uint64_t number) const {
    char name[32];
    std::snprintf(name, sizeof name, "%020llu%s", static_cast<unsigned long long>(number), kSuffix);
    return dir_ + "/" + name;
}

Result<void> Spool::push(const Report& report) {
    uint64_t number = next_;
    std::string path = path_of(number);
    // Bad UTF-8 (from some peer's text) is replaced, never thrown: a report is always kept.
    auto ok = write_atomically(path, path + kTemporary,
                               to_json(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!ok) return fail("spool " + ok.error());
    next_ = number + 1;
    files_.push_back(number);
    trim();
    return {};
}

void Spool::trim() {
    size_t over = files_.size() > max_ ? files_.size() - max_ : 0;
    if (over == 0) return;
    pop(over);
    uint64_t before = dropped_;
    dropped_ += over;
    // Once full it drops one per report: say so at the first drop and every 100th after.
    if (before == 0 || before / 100 != dropped_ / 100)
        log_warning("spool " + dir_ + " full (" + std::to_string(max_) + " reports): dropped the " +
                std::to_string(over) + " oldest, " + std::to_string(dropped_) + " dropped since start");
}

std::vector<Spooled> Spool::oldest(size_t n) {
    std::vector<Spooled> out;
    while (out.size() < n && out.size() < files_.size()) {
        uint64_t number = files_[out.size()];
        std::string path = path_of(number);
        std::ifstream in(path);
        std::ostringstream text;
        text << in.rdbuf();
        auto json = nlohmann::json::parse(text.str(), nullptr, false);
        auto report = json.is_discarded() ? Result<Report>(fail("not JSON")) : report_from(json);
        if (in && report) {
            out.push_back({number, std::move(*report)});
            continue;
        }
        log_error("spool " + path + ": cannot read it back (" + (in ? report.error() : "unreadable") +
                  "); removed");
        ::unlink(path.c_str());
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(out.size()));
    }
    return out;
}

void Spool::pop(size_t n) {
    for (size_t i = 0; i < n && !files_.empty(); ++i) {
        ::unlink(path_of(files_.front()).c_str());
        files_.pop_front();
    }
}

}  // namespace patchbay

namespace patchbay {

void Spool::remove(uint64_t first, uint64_t last) {
    for (auto it = std::lower_bound(files_.begin(), files_.end(), first); it != files_.end() && *it <= last;) {
        ::unlink(path_of(*it).c_str());
        it = files_.erase(it);
    }
}

}  // namespace patchbay
