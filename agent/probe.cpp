#include "probe.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "log.h"
#include "probe_kinds.h"

namespace patchbay {

namespace {

// "ADDR:PORT", with brackets for IPv6 (RFC 3261 §19.1.1, RFC 3986 §3.2.2).
std::string host_port(const Address& a, uint16_t port) {
    std::string host = a.family == Family::v6 ? "[" + a.str() + "]" : a.str();
    return host + ":" + std::to_string(port);
}

// The clock itself, not the loop's cached iteration time: latency is measured in ms.
uint64_t now_usec() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<uint64_t>(t.tv_sec) * 1'000'000 + static_cast<uint64_t>(t.tv_nsec) / 1000;
}

}  // namespace

uint32_t next_streak(const std::optional<ProbeResult>& previous, bool ok) {
    if (!previous || previous->ok != ok) return 1;
    return previous->streak == UINT32_MAX ? UINT32_MAX : previous->streak + 1;
}

ProbeResult fallen_result(const std::optional<ProbeResult>& previous, const std::string& kind,
                          const std::string& state) {
    ProbeResult r;
    r.kind = kind;
    r.ok = false;
    r.error = "unit " + state + " (not probed)";
    r.streak = next_streak(previous, false);
    return r;
}

std::string sip_options_request(const ProbeTarget& target, const Endpoint& local, const std::string& token) {
    const TupleKey& k = target.key;
    std::string upper = k.transport;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string to = "sip:" + host_port(k.address, k.port);
    std::string from_host = local.address.family == Family::v6 ? "[" + local.address.str() + "]" : local.address.str();
    std::string r;
    r += "OPTIONS " + to + ";transport=" + k.transport + " SIP/2.0\r\n";
    r += "Via: SIP/2.0/" + upper + " " + host_port(local.address, local.port) + ";branch=z9hG4bK" + token + ";rport\r\n";
    r += "Max-Forwards: 70\r\n";
    r += "From: <sip:patchbay@" + from_host + ">;tag=" + token + "\r\n";
    r += "To: <" + to + ">\r\n";
    r += "Call-ID: " + token + "@" + from_host + "\r\n";
    r += "CSeq: 1 OPTIONS\r\n";
    r += "Contact: <sip:patchbay@" + host_port(local.address, local.port) + ";transport=" + k.transport + ">\r\n";
    r += "Accept: application/sdp\r\n";
    r += "User-Agent: patchbay-agent\r\n";
    r += "Content-Length: 0\r\n\r\n";
    return r;
}

std::string first_line(std::string_view text) {
    size_t end = text.find_first_of("\r\n");
    std::string line(text.substr(0, end));
    if (line.size() > 200) line.resize(200);
    return line;
}

std::string printable(std::string_view text, size_t max) {
    std::string out(text.substr(0, max));
    for (auto& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    return out;
}

Result<int> sip_status(std::string_view answer) {
    std::string line = first_line(answer);
    // RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
    if (line.size() < 11 || !line.starts_with("SIP/2.0 ") || (line.size() > 11 && line[11] != ' '))
        return fail("not a SIP answer: '" + line + "'");
    int code = 0;
    for (size_t i = 8; i < 11; ++i) {
        if (line[i] < '0' || line[i] > '9') return fail("not a SIP answer: '" + line + "'");
        code = code * 10 + (line[i] - '0');
    }
    if (code < 100) return fail("not a SIP answer: '" + line + "'");
    return code;
}

std::unique_ptr<ProbeRun> start_probe(sd_event* event, CurlLoop& curl, const ProbeConfig& config,
                                      const ProbeTarget& target, ProbeRun::Done done) {
    if (config.kind == "tcp") return probe_kinds::tcp(event, config, target, std::move(done));
    if (config.kind == "http" || config.kind == "https")
        return probe_kinds::http(event, curl, config, target, std::move(done));
    if (config.kind == "sip") return probe_kinds::sip(event, config, target, std::move(done));
    if (config.kind == "command") return probe_kinds::command(event, config, target, std::move(done));
    return probe_kinds::failed(event, "unknown probe kind '" + config.kind + "'", std::move(done));
}

Prober::Prober(sd_event* event, CurlLoop& curl, ProbeConfig config, ProbeTarget target, OnResult on_result)
    : event_(event),
      curl_(curl),
      config_(std::move(config)),
      target_(std::move(target)),
      on_result_(std::move(on_result)) {}

Prober::~Prober() {
    run_.reset();  // cancels a run in progress before anything else goes
    finished_.reset();
}

Result<std::unique_ptr<Prober>> Prober::create(sd_event* event, CurlLoop& curl, ProbeConfig config,
                                               ProbeTarget target, OnResult on_result) {
    std::unique_ptr<Prober> p(
        new Prober(event, curl, std::move(config), std::move(target), std::move(on_result)));
    sd_event_source* s = nullptr;
    if (int r = sd_event_add_time_relative(event, &s, CLOCK_MONOTONIC, 0, 0, &Prober::on_timer, p.get()); r < 0)
        return fail(std::string("sd-event timer for a probe: ") + std::strerror(-r));
    p->timer_.reset(s);
    return p;
}

void Prober::run() {
    finished_.reset();
    started_usec_ = now_usec();
    run_ = start_probe(event_, curl_, config_, target_, [this](bool ok, std::string error) {
        finish(ok, std::move(error));
    });
}

void Prober::finish(bool ok, std::string error) {
    finished_ = std::move(run_);
    ProbeResult r;
    r.kind = config_.kind;
    r.ok = ok;
    uint64_t now = now_usec();
    r.latency_ms = now > started_usec_ ? static_cast<double>(now - started_usec_) / 1000.0 : 0;
    r.error = ok ? std::string() : printable(error);
    r.streak = next_streak(last_, ok);
    last_ = r;
    // Start to start; a run that took longer than the interval is followed at once.
    uint64_t interval = static_cast<uint64_t>(config_.interval_ms) * 1000;
    uint64_t next = started_usec_ + interval;
    sd_event_source_set_time(timer_.get(), next > now ? next : now);
    sd_event_source_set_enabled(timer_.get(), SD_EVENT_ONESHOT);
    on_result_(r);
}

void Prober::unit_fell(const std::string& state) {
    // A run started before the fall may still answer "ok" (a connection made just before
    // the kill): its result would undo this one. Dropping it cancels it (we are not inside
    // its callback), so the next run is scheduled here instead of by finish().
    if (run_) {
        run_.reset();
        uint64_t next = started_usec_ + static_cast<uint64_t>(config_.interval_ms) * 1000;
        sd_event_source_set_time(timer_.get(), std::max(next, now_usec()));
        sd_event_source_set_enabled(timer_.get(), SD_EVENT_ONESHOT);
    }
    last_ = fallen_result(last_, config_.kind, state);
}

int Prober::on_timer(sd_event_source*, uint64_t, void* self) {
    try {
        static_cast<Prober*>(self)->run();
    } catch (const std::exception& e) {
        log_error(std::string("internal error starting a probe: ") + e.what());
    }
    return 0;
}

}  // namespace patchbay
