// c-ares on the agent's sd-event loop: every socket c-ares opens becomes an io source
// (ARES_OPT_SOCK_STATE_CB), and one timer, re-armed from ares_timeout() after each step,
// drives retransmissions and timeouts. Queries are plain ares_query (no search list).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ares.h>

#include "address.h"
#include "dns_answer.h"
#include "handles.h"
#include "result.h"

namespace patchbay {

enum class QueryStatus {
    answered,  // NOERROR with records
    nxdomain,  // the name does not exist
    nodata,    // the name exists, without records of that type
    failed,    // timeout, SERVFAIL, REFUSED, connection refused, malformed...
};

struct QueryResult {
    QueryStatus status = QueryStatus::failed;
    DnsAnswer answer;   // for `answered`
    std::string error;  // for `failed`: what went wrong
};

// Where a refresh sends its questions: the c-ares Resolver in the daemon, a scripted
// table in the tests that inject failures.
class QuerySource {
public:
    using Done = std::function<void(QueryResult)>;
    virtual ~QuerySource() = default;
    // Asks for `name` (absolute, no trailing dot) of `type` (ns_t_soa, ...); `done` runs
    // exactly once, unless the source is destroyed first.
    virtual void query(const std::string& name, int type, Done done) = 0;
};

class Resolver : public QuerySource {
public:
    // Errors: c-ares initialization or a server list it refuses.
    static Result<std::unique_ptr<Resolver>> create(sd_event* event, const std::vector<Endpoint>& servers,
                                                    int timeout_ms);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Asks for `name` (absolute, no trailing dot) of `type` (ns_t_soa, ...). `done` runs
    // exactly once from the loop, unless the resolver is destroyed first.
    void query(const std::string& name, int type, Done done) override;

private:
    explicit Resolver(sd_event* event) : event_(event) {}
    static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable);
    static int on_io(sd_event_source* source, int fd, uint32_t revents, void* data);
    static int on_timer(sd_event_source* source, uint64_t usec, void* data);
    static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
    void rearm_timer();

    sd_event* event_;
    ares_channel channel_ = nullptr;
    bool library_ready_ = false;
    std::map<int, EventSourcePtr> sockets_;  // declared after channel_: freed before it
    EventSourcePtr timer_;
};

}  // namespace patchbay
