#include "refresh.h"

#include <arpa/nameser.h>

#include <memory>
#include <set>

#include "snapshot.h"

namespace patchbay {

namespace {

std::string status_text(const QueryResult& r) {
    switch (r.status) {
    case QueryStatus::answered: return "answered";
    case QueryStatus::nxdomain: return "NXDOMAIN";
    case QueryStatus::nodata: return "NODATA";
    case QueryStatus::failed: return r.error;
    }
    return r.error;
}

// The state of one attempt, shared by its outstanding query callbacks; it dies with the
// last of them.
class Attempt : public std::enable_shared_from_this<Attempt> {
public:
    Attempt(QuerySource& resolver, RefreshRequest request, std::function<void(RefreshResult)> done)
        : resolver_(resolver), req_(std::move(request)), done_(std::move(done)) {}

    void start() { ask_soa(false); }

private:
    void ask(const std::string& name, int type, std::function<void(QueryResult)> then) {
        ++queries_;
        resolver_.query(name, type, std::move(then));
    }

    void ask_soa(bool second) {
        auto self = shared_from_this();
        ask(req_.domain, ns_t_soa, [self, second](QueryResult r) { self->on_soa(second, r); });
    }

    void on_soa(bool second, const QueryResult& r) {
        std::optional<uint32_t> serial;
        for (const auto& soa : r.answer.soa)
            if (soa.owner == req_.domain) serial = soa.serial;
        if (r.status != QueryStatus::answered || !serial)
            return finish_failed("SOA " + req_.domain + ": " +
                                 (r.status == QueryStatus::answered ? "no SOA record for the zone"
                                                                    : status_text(r)));
        if (second) {
            if (*serial != first_serial_)
                return finish_failed("serial of " + req_.domain + " moved from " +
                                     std::to_string(first_serial_) + " to " +
                                     std::to_string(*serial) + " during the fetch");
            RefreshResult out;
            out.kind = RefreshResult::Kind::fetched;
            out.serial = first_serial_;
            out.tuples = tuples_from_srv(req_.domain, srv_, targets_);
            out.queries = queries_;
            return done_(std::move(out));
        }
        first_serial_ = *serial;
        if (req_.applied_serial && !serial_acceptable(*serial, *req_.applied_serial))
            return finish_failed("serial " + std::to_string(*serial) + " of " + req_.domain +
                                 " is lower than the applied serial " +
                                 std::to_string(*req_.applied_serial) + " (RFC 1982)");
        if (req_.applied_serial && *serial == *req_.applied_serial && !req_.force) {
            RefreshResult out;
            out.kind = RefreshResult::Kind::unchanged;
            out.serial = *serial;
            out.queries = queries_;
            return done_(std::move(out));
        }
        ask_srv();
    }

    void ask_srv() {
        auto self = shared_from_this();
        pending_ = req_.services.size();
        srv_.resize(req_.services.size());
        if (pending_ == 0) return ask_soa(true);
        for (size_t i = 0; i < req_.services.size(); ++i) {
            const auto& st = req_.services[i];
            srv_[i].service = st.service;
            srv_[i].transport = st.transport;
            std::string name = srv_name(st.service, st.transport, req_.domain);
            ask(name, ns_t_srv, [self, i, name](QueryResult r) {
                if (r.status == QueryStatus::failed)
                    self->note_error("SRV " + name + ": " + r.error);
                else
                    self->srv_[i].records = r.answer.srv;
                if (--self->pending_ == 0) self->after_srv();
            });
        }
    }

    void after_srv() {
        if (!error_.empty()) return finish_failed(error_);
        std::set<std::string> names;
        for (const auto& answer : srv_)
            for (const auto& rec : answer.records)
                if (rec.target != "." && !rec.target.empty()) names.insert(rec.target);
        if (names.empty()) return ask_soa(true);
        auto self = shared_from_this();
        pending_ = names.size() * 2;
        for (const auto& name : names) {
            targets_[name];  // a target without addresses still counts as answered
            for (int type : {ns_t_a, ns_t_aaaa}) {
                ask(name, type, [self, name, type](QueryResult r) {
                    if (r.status == QueryStatus::failed)
                        self->note_error((type == ns_t_a ? "A " : "AAAA ") + name + ": " + r.error);
                    else
                        for (const auto& a : r.answer.addresses)
                            if ((a.family == Family::v4) == (type == ns_t_a))
                                self->targets_[name].push_back(a);
                    if (--self->pending_ == 0) {
                        if (!self->error_.empty()) return self->finish_failed(self->error_);
                        self->ask_soa(true);
                    }
                });
            }
        }
    }

    void note_error(std::string e) {
        if (error_.empty()) error_ = std::move(e);  // the first failure is the one to report
    }

    void finish_failed(std::string e) {
        RefreshResult out;
        out.kind = RefreshResult::Kind::failed;
        out.error = std::move(e);
        out.queries = queries_;
        done_(std::move(out));
    }

    QuerySource& resolver_;
    RefreshRequest req_;
    std::function<void(RefreshResult)> done_;
    uint32_t first_serial_ = 0;
    size_t pending_ = 0;
    int queries_ = 0;
    std::string error_;
    std::vector<SrvAnswer> srv_;
    TargetAddresses targets_;
};

}  // namespace

void refresh_domain(QuerySource& resolver, RefreshRequest request,
                    std::function<void(RefreshResult)> done) {
    std::make_shared<Attempt>(resolver, std::move(request), std::move(done))->start();
}

}  // namespace patchbay
