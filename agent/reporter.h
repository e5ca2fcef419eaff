// The reporter: makes health reports (shared/report.h) and delivers them to the
// controller (POST CONTROLLER/v1/reports, bearer token) through the shared CurlLoop, so
// reporting never blocks the loop. A report is made at once when something changed
// (several changes in one loop iteration make one report) and otherwise every
// report_seconds (the heartbeat). Every report goes to the on-disk spool first; delivery
// sends the oldest first, up to 100 at a time:
//   2xx ⇒ delivered and removed;  400 ⇒ the controller will never take it: dropped with
//   an error log (a bad report must not block the spool forever);  anything else
//   (transport error, 5xx, 401, 404, …) ⇒ kept, retried with capped exponential backoff.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "curl_loop.h"
#include "report.h"
#include "spool.h"

namespace patchbay {

// What a report says, apart from the reporter's own bookkeeping (agent, boot, seq, at_ms).
struct ReportContent {
    std::map<std::string, uint32_t> serials;
    HostMetrics host;
    std::vector<InstanceReport> instances;
    std::vector<std::string> addresses;  // the host's, canonical text, sorted
    std::vector<std::string> catalog;    // "SERVICE/TRANSPORT", sorted
};

struct ReporterOptions {
    std::string agent;       // AgentConfig::name
    std::string controller;  // base URL, e.g. "http://10.10.10.1:8080"
    std::string token_file;  // read before each delivery; "" = no token
    int report_seconds = 2;  // heartbeat
    size_t batch = 100;      // reports per POST at most
    uint64_t backoff_first_ms = 250;
    uint64_t backoff_cap_ms = 5000;  // so delivery resumes soon after the controller returns
};

// What to do with the reports of one POST, by its outcome. Pure.
enum class Delivery { delivered, refused, retry };
Delivery delivery_of(bool transport_ok, long status);
// The N of "reports[N]…" in a 400 answer's error, if it names one.
std::optional<size_t> refused_index(const std::string& error);
// The next retry delay after `previous_ms` (0: none yet). Pure.
uint64_t next_backoff_ms(uint64_t previous_ms, uint64_t first_ms, uint64_t cap_ms);

class Reporter {
public:
    using Gather = std::function<ReportContent()>;

    // Starts the heartbeat; the first report is made at once. `gather` is asked for the
    // content of every report. Errors: the loop refused a source.
    static Result<std::unique_ptr<Reporter>> create(sd_event* event, CurlLoop& curl, Spool spool,
                                                    ReporterOptions options, Gather gather);
    Reporter(const Reporter&) = delete;
    Reporter& operator=(const Reporter&) = delete;
    ~Reporter();

    // Something worth telling changed: a report at the end of this loop iteration.
    void changed();
    // Something that may be undone within this iteration changed (a unit that failed and
    // is started again at once): a report made now, with what is true now.
    void report_now() { make_report(); }

    const std::string& boot() const { return boot_; }
    uint64_t made() const { return seq_; }            // reports made since start
    uint64_t delivered() const { return delivered_; }  // taken by the controller
    uint64_t refused() const { return refused_; }      // dropped after a 400
    size_t spooled() const { return spool_.size(); }   // made, not yet delivered
    uint64_t spool_dropped() const { return spool_.dropped(); }

private:
    Reporter(CurlLoop& curl, Spool spool, ReporterOptions options, Gather gather);
    void make_report();
    void deliver();
    void on_answer(CURLcode code, size_t sent);
    static int on_heartbeat(sd_event_source* s, uint64_t usec, void* self);
    static int on_changed(sd_event_source* s, void* self);
    static int on_retry(sd_event_source* s, uint64_t usec, void* self);
    static size_t on_body(char* data, size_t size, size_t count, void* self);

    struct SlistDeleter {
        void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
    };

    CurlLoop& curl_;
    Spool spool_;
    ReporterOptions options_;
    Gather gather_;
    std::string boot_;
    uint64_t seq_ = 0;
    uint64_t delivered_ = 0;
    uint64_t refused_ = 0;
    uint64_t backoff_ms_ = 0;
    size_t limit_;               // reports per POST now (smaller while isolating a bad one)
    bool isolating_ = false;     // a 400 named no report: send one at a time until it is found
    bool in_flight_ = false;
    struct Sending {
        uint64_t first = 0, last = 0;  // spool numbers of the batch in flight
        uint64_t first_seq = 0;
    } sending_;
    std::string request_;
    std::string answer_;
    std::unique_ptr<curl_slist, SlistDeleter> headers_;
    CurlEasyPtr easy_;  // one handle for every POST (its connection is kept alive)
    EventSourcePtr heartbeat_, changed_, retry_;
};

}  // namespace patchbay
