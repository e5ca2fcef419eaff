#include "resolver.h"

#include <arpa/nameser.h>
#include <sys/epoll.h>

#include <cstring>
#include <exception>

#include "log.h"

namespace patchbay {

namespace {

struct PendingQuery {
    Resolver::Done done;
};

QueryResult classify(int status, const unsigned char* abuf, int alen) {
    QueryResult r;
    switch (status) {
    case ARES_SUCCESS: {
        auto parsed = parse_answer(abuf, static_cast<size_t>(alen));
        if (!parsed) {
            r.error = parsed.error();
            return r;
        }
        r.status = QueryStatus::answered;
        r.answer = std::move(*parsed);
        return r;
    }
    // c-ares hands over the answer even here; "no such name" and "no such record" are
    // real answers (DESIGN.md §2: NXDOMAIN/NODATA = really no tuples).
    case ARES_ENOTFOUND:
        r.status = QueryStatus::nxdomain;
        return r;
    case ARES_ENODATA:
        r.status = QueryStatus::nodata;
        return r;
    case ARES_ECONNREFUSED:
        // c-ares 1.18 ends a query with this when every server answered SERVFAIL,
        // REFUSED or NOTIMP, not only when none could be reached.
        r.error = "every resolver refused or failed the query, or none could be reached";
        return r;
    default:
        r.error = ares_strerror(status);
        return r;
    }
}

}  // namespace

Result<std::unique_ptr<Resolver>> Resolver::create(sd_event* event, const std::vector<Endpoint>& servers,
                                                   int timeout_ms) {
    std::unique_ptr<Resolver> r(new Resolver(event));
    if (int s = ares_library_init(ARES_LIB_INIT_ALL); s != ARES_SUCCESS)
        return fail(std::string("c-ares: ") + ares_strerror(s));
    r->library_ready_ = true;

    ares_options opts{};
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
               ARES_OPT_DOMAINS | ARES_OPT_EDNSPSZ;
    // EDNS so a full SRV set fits in one UDP answer; a truncated one is retried over TCP.
    opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
    opts.ednspsz = 1232;
    opts.timeout = timeout_ms;
    opts.tries = 2;
    opts.ndomains = 0;  // no search domains: every name we ask is absolute
    opts.domains = nullptr;
    opts.sock_state_cb = &Resolver::on_socket_state;
    opts.sock_state_cb_data = r.get();
    if (int s = ares_init_options(&r->channel_, &opts, mask); s != ARES_SUCCESS)
        return fail(std::string("c-ares: ") + ares_strerror(s));

    std::string csv;
    for (const auto& e : servers) csv += (csv.empty() ? "" : ",") + e.str();
    if (int s = ares_set_servers_ports_csv(r->channel_, csv.c_str()); s != ARES_SUCCESS)
        return fail("c-ares refuses the resolvers '" + csv + "': " + ares_strerror(s));

    sd_event_source* timer = nullptr;
    if (int e = sd_event_add_time_relative(event, &timer, CLOCK_MONOTONIC, 0, 1000, &Resolver::on_timer,
                                           r.get());
        e < 0)
        return fail(std::string("sd-event timer: ") + std::strerror(-e));
    r->timer_.reset(timer);
    sd_event_source_set_enabled(timer, SD_EVENT_OFF);
    return r;
}

Resolver::~Resolver() {
    // ares_destroy calls every pending callback with ARES_EDESTRUCTION (they only free
    // themselves) and closes its sockets through on_socket_state.
    if (channel_) ares_destroy(channel_);
    sockets_.clear();
    if (library_ready_) ares_library_cleanup();
}

void Resolver::query(const std::string& name, int type, Done done) {
    auto* pending = new PendingQuery{std::move(done)};
    ares_query(channel_, name.c_str(), ns_c_in, type, &Resolver::on_answer, pending);
    rearm_timer();
}

void Resolver::on_answer(void* arg, int status, int, unsigned char* abuf, int alen) {
    std::unique_ptr<PendingQuery> pending(static_cast<PendingQuery*>(arg));
    if (status == ARES_EDESTRUCTION) return;  // shutting down: nobody is waiting any more
    try {
        pending->done(classify(status, abuf, alen));
    } catch (const std::exception& e) {
        log_error(std::string("internal error after a DNS answer: ") + e.what());
    }
}

void Resolver::on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<Resolver*>(data);
    uint32_t events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
    if (!events) {
        // c-ares closes the socket right after this; drop our source first.
        self->sockets_.erase(fd);
        return;
    }
    auto found = self->sockets_.find(fd);
    if (found != self->sockets_.end()) {
        sd_event_source_set_io_events(found->second.get(), events);
        return;
    }
    sd_event_source* source = nullptr;
    if (int e = sd_event_add_io(self->event_, &source, fd, events, &Resolver::on_io, self); e < 0) {
        log_error(std::string("cannot watch a resolver socket: ") + std::strerror(-e));
        return;  // the query times out through the timer and is reported as failed
    }
    self->sockets_.emplace(fd, EventSourcePtr(source));
}

int Resolver::on_io(sd_event_source*, int fd, uint32_t revents, void* data) {
    auto* self = static_cast<Resolver*>(data);
    try {
        bool read = revents & (EPOLLIN | EPOLLERR | EPOLLHUP);
        bool write = revents & EPOLLOUT;
        ares_process_fd(self->channel_, read ? fd : ARES_SOCKET_BAD, write ? fd : ARES_SOCKET_BAD);
        self->rearm_timer();
    } catch (const std::exception& e) {
        log_error(std::string("internal error in the resolver: ") + e.what());
    }
    return 0;
}

int Resolver::on_timer(sd_event_source*, uint64_t, void* data) {
    auto* self = static_cast<Resolver*>(data);
    try {
        ares_process_fd(self->channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // expire timeouts
        self->rearm_timer();
    } catch (const std::exception& e) {
        log_error(std::string("internal error in the resolver: ") + e.what());
    }
    return 0;
}

void Resolver::rearm_timer() {
    timeval tv{};
    if (!ares_timeout(channel_, nullptr, &tv)) {
        sd_event_source_set_enabled(timer_.get(), SD_EVENT_OFF);
        return;
    }
    uint64_t usec = static_cast<uint64_t>(tv.tv_sec) * 1000000u + static_cast<uint64_t>(tv.tv_usec);
    sd_event_source_set_time_relative(timer_.get(), usec);
    sd_event_source_set_enabled(timer_.get(), SD_EVENT_ONESHOT);
}

}  // namespace patchbay
