#include "host_metrics.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace patchbay {

namespace {

std::string_view next_word(std::string_view& text) {
    size_t begin = text.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        text = {};
        return {};
    }
    size_t end = text.find_first_of(" \t\n", begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(begin, end - begin);
    text.remove_prefix(end);
    return word;
}

std::optional<uint64_t> whole(std::string_view word) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (ec != std::errc() || end != word.data() + word.size() || word.empty()) return std::nullopt;
    return v;
}

// The line of `text` that starts with `key` followed by a blank; empty if none.
std::string_view line_of(std::string_view text, std::string_view key) {
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        if (line.starts_with(key) && line.size() > key.size() &&
            (line[key.size()] == ' ' || line[key.size()] == '\t'))
            return line.substr(key.size());
        at = end + 1;
    }
    return {};
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

Result<double> parse_loadavg(std::string_view text) {
    std::string word(next_word(text));
    char* end = nullptr;
    double v = word.empty() ? 0 : std::strtod(word.c_str(), &end);
    if (word.empty() || end != word.c_str() + word.size() || !(v >= 0))
        return fail("loadavg: expected a load average first, got '" + word + "'");
    return v;
}

Result<CpuTimes> parse_cpu_times(std::string_view text) {
    std::string_view line = line_of(text, "cpu");
    if (line.empty()) return fail("stat: no aggregate 'cpu' line");
    CpuTimes t;
    for (int field = 0; field < 8; ++field) {
        std::string_view word = next_word(line);
        if (word.empty()) {
            if (field >= 4) break;  // old kernels stop after idle
            return fail("stat: the cpu line has only " + std::to_string(field) + " fields");
        }
        auto v = whole(word);
        if (!v) return fail("stat: bad cpu field '" + std::string(word) + "'");
        t.total += *v;
        if (field != 3 && field != 4) t.busy += *v;  // 3 idle, 4 iowait
    }
    return t;
}

double busy_fraction(const CpuTimes& before, const CpuTimes& after) {
    if (after.total <= before.total || after.busy < before.busy) return 0;
    double f = static_cast<double>(after.busy - before.busy) / static_cast<double>(after.total - before.total);
    return f > 1 ? 1 : f;
}

Result<double> parse_memory_used(std::string_view text) {
    std::optional<uint64_t> total, available;
    for (auto [key, slot] : {std::pair{"MemTotal:", &total}, std::pair{"MemAvailable:", &available}}) {
        std::string_view line = line_of(text, key);
        if (line.empty()) return fail(std::string("meminfo: no ") + key + " line");
        std::string_view word = next_word(line);
        *slot = whole(word);
        if (!*slot) return fail(std::string("meminfo: bad ") + key + " value '" + std::string(word) + "'");
    }
    if (*total == 0) return fail("meminfo: MemTotal is 0");
    if (*available >= *total) return 0.0;
    return 1.0 - static_cast<double>(*available) / static_cast<double>(*total);
}

HostMetrics HostMetricsReader::read() {
    HostMetrics m;
    if (auto load = parse_loadavg(read_file(proc_ + "/loadavg"))) m.load1 = *load;
    if (auto now = parse_cpu_times(read_file(proc_ + "/stat"))) {
        if (last_) m.cpu = busy_fraction(*last_, *now);
        last_ = *now;
    }
    if (auto used = parse_memory_used(read_file(proc_ + "/meminfo"))) m.memory = *used;
    return m;
}

}  // namespace patchbay
