// notify: one thread, one UDP socket per family, a table of NOTIFYs waiting for their
// answer keyed by (zone, target). Callers only touch the table under its mutex and wake
// the thread; the thread sends what is due, reads answers and drops what is answered
// (matched by message id and source, RFC 1996 §4.7) or too old.
#include "notify.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

#include "fd.h"
#include "log.h"
#include "socket_address.h"
#include "tsig.h"
#include "zone.h"

namespace patchbay {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};

// RFC 1996 §3.7: opcode NOTIFY, AA, question <zone>. IN SOA, the new SOA as answer.
std::vector<uint8_t> notify_message(const std::string& zone, uint32_t serial, uint16_t id) {
    std::unique_ptr<knot_pkt_t, PktFree> pkt(knot_pkt_new(nullptr, KNOT_WIRE_MIN_PKTSIZE, nullptr));
    RRsetPtr soa = make_soa(zone, serial, DnsSettings{}.ttl);
    if (!pkt || !soa) return {};
    knot_wire_set_id(pkt->wire, id);
    knot_wire_set_opcode(pkt->wire, KNOT_OPCODE_NOTIFY);
    knot_wire_set_aa(pkt->wire);
    if (knot_pkt_put_question(pkt.get(), soa->owner, KNOT_CLASS_IN, KNOT_RRTYPE_SOA) != KNOT_EOK ||
        knot_pkt_put(pkt.get(), KNOT_COMPR_HINT_QNAME, soa.get(), 0) != KNOT_EOK) {
        return {};
    }
    return std::vector<uint8_t>(pkt->wire, pkt->wire + pkt->size);
}

struct Pending {
    uint32_t serial = 0;
    uint16_t id = 0;
    std::vector<uint8_t> message;
    Clock::time_point first_sent;  // set by the first send
    Clock::time_point next_send;
    milliseconds interval{0};
    bool sent = false;
};

using PendingKey = std::pair<std::string, Endpoint>;  // (zone, target)

}  // namespace

class Notifier::Loop {
public:
    Loop(NotifyTiming timing, UniqueFd v4, UniqueFd v6, UniqueFd wake)
        : timing_(timing), v4_(std::move(v4)), v6_(std::move(v6)), wake_(std::move(wake)),
          ids_(std::random_device{}()) {}

    void start() { thread_ = std::thread([this] { run(); }); }

    NotifyCounts counts() {
        std::lock_guard lock(mutex_);
        return counts_;
    }

    void stop() {
        stopping_.store(true);
        wake();
        if (thread_.joinable()) thread_.join();
    }

    void notify(const std::string& zone_text, uint32_t serial, const std::vector<Endpoint>& targets,
                const std::shared_ptr<const TsigKey>& key) {
        std::string zone = zone_text;
        std::transform(zone.begin(), zone.end(), zone.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!zone.empty() && zone.back() == '.') zone.pop_back();
        {
            std::lock_guard lock(mutex_);
            for (const auto& target : targets) {
                Pending p;
                p.serial = serial;
                p.id = static_cast<uint16_t>(ids_());
                p.message = notify_message(zone, serial, p.id);
                if (p.message.empty()) {
                    log_error("notify: cannot build a NOTIFY for zone '" + zone + "'", {{LogKey::zone, zone}});
                    return;
                }
                if (key) {
                    if (auto signed_ok = tsig_sign_request(p.message, *key); !signed_ok) {
                        log_error("notify: " + signed_ok.error(), {{LogKey::zone, zone}});
                        return;
                    }
                }
                p.next_send = Clock::now();
                p.interval = timing_.first_retry;
                pending_[{zone, target}] = std::move(p);  // replaces an older serial
            }
        }
        wake();
    }

private:
    void wake() {
        uint64_t one = 1;
        if (::write(wake_.get(), &one, sizeof one) < 0)
            log_error(std::string("notify: cannot wake the thread: ") + std::strerror(errno));
    }

    void run() {
        while (!stopping_.load()) {
            try {
                iterate();
            } catch (const std::exception& e) {
                log_error(std::string("notify: ") + e.what());
            }
        }
    }

    void iterate() {
        pollfd fds[] = {{wake_.get(), POLLIN, 0}, {v4_.get(), POLLIN, 0}, {v6_.get(), POLLIN, 0}};
        if (::poll(fds, 3, timeout_ms()) < 0 && errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if (fds[0].revents) {
            uint64_t value;
            while (::read(wake_.get(), &value, sizeof value) > 0) {
            }
        }
        if (stopping_.load()) return;
        if (fds[1].revents & POLLIN) read_answers(v4_.get());
        if (fds[2].revents & POLLIN) read_answers(v6_.get());
        send_due();
    }

    int timeout_ms() {
        std::lock_guard lock(mutex_);
        if (pending_.empty()) return -1;
        auto next = Clock::time_point::max();
        for (const auto& [key, p] : pending_) next = std::min(next, p.next_send);
        auto ms = std::chrono::ceil<milliseconds>(next - Clock::now()).count();
        return static_cast<int>(std::clamp<decltype(ms)>(ms, 0, 60000));
    }

    void read_answers(int fd) {
        for (int i = 0; i < 64; ++i) {
            uint8_t buf[KNOT_WIRE_MIN_PKTSIZE];
            SocketAddress from;
            ssize_t n = ::recvfrom(fd, buf, sizeof buf, MSG_TRUNC, from.get(), &from.len);
            if (n < 0) return;
            auto source = to_endpoint(from.storage);
            if (n < KNOT_WIRE_HEADER_SIZE || !source || !knot_wire_get_qr(buf) ||
                knot_wire_get_opcode(buf) != KNOT_OPCODE_NOTIFY) {
                continue;
            }
            answered(*source, knot_wire_get_id(buf), knot_wire_get_rcode(buf));
        }
    }

    void answered(const Endpoint& source, uint16_t id, uint8_t rcode) {
        std::lock_guard lock(mutex_);
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->first.second != source || it->second.id != id) continue;
            // Any answer ends the retries; an error would come back every time.
            ++(rcode == KNOT_RCODE_NOERROR ? counts_.answered : counts_.error);
            if (rcode != KNOT_RCODE_NOERROR) {
                log_warning("notify: " + source.str() + " answered NOTIFY for " + it->first.first + " serial " +
                                std::to_string(it->second.serial) + " with rcode " + std::to_string(rcode),
                            {{LogKey::zone, it->first.first},
                             {LogKey::serial, it->second.serial},
                             {LogKey::address, source.str()}});
            }
            pending_.erase(it);
            return;
        }
    }

    void send_due() {
        std::lock_guard lock(mutex_);
        auto now = Clock::now();
        for (auto it = pending_.begin(); it != pending_.end();) {
            auto& [key, p] = *it;
            if (p.next_send > now) {
                ++it;
                continue;
            }
            if (p.sent && now - p.first_sent >= timing_.give_up) {
                give_up(key, p, "no answer");
                ++counts_.timeout;
                it = pending_.erase(it);
                continue;
            }
            int fd = key.second.address.family == Family::v4 ? v4_.get() : v6_.get();
            auto to = to_socket_address(key.second);
            if (fd < 0) {
                give_up(key, p, "no socket for its address family");
                ++counts_.unreachable;
                it = pending_.erase(it);
                continue;
            }
            // A failed send (e.g. full buffer) counts as a lost datagram: retried later.
            ::sendto(fd, p.message.data(), p.message.size(), 0, to.get(), to.len);
            ++counts_.sent;
            if (!p.sent) p.first_sent = now;
            p.sent = true;
            p.next_send = now + p.interval;
            p.interval = std::min(p.interval * 2, timing_.max_retry);
            ++it;
        }
    }

    void give_up(const PendingKey& key, const Pending& p, const char* why) {
        auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - p.first_sent);
        log_warning("notify: giving up NOTIFY for " + key.first + " serial " + std::to_string(p.serial) + " to " +
                        key.second.str() + " after " + std::to_string(p.sent ? waited.count() : 0) + " ms: " + why,
                    {{LogKey::zone, key.first}, {LogKey::serial, p.serial}, {LogKey::address, key.second.str()}});
    }

    const NotifyTiming timing_;
    UniqueFd v4_, v6_, wake_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;

    std::mutex mutex_;  // guards what follows
    std::mt19937 ids_;
    std::map<PendingKey, Pending> pending_;
    NotifyCounts counts_;
};

Result<std::unique_ptr<Notifier>> Notifier::start(NotifyTiming timing) {
    UniqueFd v4(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    int v4_error = errno;
    UniqueFd v6(::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (v6) {
        int on = 1;
        ::setsockopt(v6.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    }
    if (!v4 && !v6) {
        return fail("cannot open a socket for NOTIFY: " + std::system_category().message(v4_error));
    }
    UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wake) return fail("cannot create eventfd: " + std::system_category().message(errno));
    auto loop = std::make_unique<Loop>(timing, std::move(v4), std::move(v6), std::move(wake));
    loop->start();
    return std::unique_ptr<Notifier>(new Notifier(std::move(loop)));
}

std::vector<MetricFamily> notify_metrics(const NotifyCounts& c) {
    auto result = [](const char* name, uint64_t n) {
        return MetricSample{{{"result", name}}, static_cast<double>(n)};
    };
    return {
        {"patchbay_notify_total",
         "NOTIFYs (RFC 1996) to agents and secondaries by how they ended, one per zone and target.",
         "counter",
         {result("answered", c.answered), result("error", c.error), result("timeout", c.timeout),
          result("unreachable", c.unreachable)}},
        {"patchbay_notify_sent_total", "NOTIFY datagrams sent, retransmissions included.", "counter",
         {{{}, static_cast<double>(c.sent)}}},
    };
}

NotifyCounts Notifier::counts() const { return loop_->counts(); }

Notifier::Notifier(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}

Notifier::~Notifier() { loop_->stop(); }

void Notifier::notify(const std::string& zone, uint32_t serial, const std::vector<Endpoint>& targets,
                      std::shared_ptr<const TsigKey> key) {
    loop_->notify(zone, serial, targets, key);
}

}  // namespace patchbay
