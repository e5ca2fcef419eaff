// dns_dispatch: which path a DNS request takes — plain queries to answer(), UPDATE to the
// update handler, zone transfers and TSIG-signed requests through the TSIG check, the
// transfer ACL and the transfer stream. The one entry point of the DNS server's workers,
// for UDP and TCP alike.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "acl.h"
#include "address.h"
#include "answer.h"
#include "journal.h"
#include "transfer.h"
#include "tsig.h"
#include "zone.h"

namespace patchbay {

// One request as the server received it.
struct DnsRequest {
    const uint8_t* wire = nullptr;
    size_t len = 0;
    Transport transport = Transport::udp;
    Endpoint source;  // the client's address and port
};

// Answers an UPDATE (RFC 2136) into `out`; false: no response. Called on the DNS worker
// threads, several at once (UDP on every worker, TCP on the first), so it must be
// thread-safe and must not block for long; it checks the TSIG itself (tsig.h, acl.h).
using UpdateHandler = std::function<bool(const DnsRequest&, std::vector<uint8_t>& out)>;

// How requests beyond plain queries are treated; fixed when the server starts.
struct DnsPolicy {
    Keyring keys;               // TSIG keys requests may be signed with
    std::vector<AclEntry> acl;  // who may transfer (and update) which zone
    UpdateHandler update;       // empty: UPDATE is answered NOTIMP
};

// Which zones a request is answered from (DESIGN.md §2 "Two views"): the assignment
// view (every tuple: agents, secondaries) or the client view (health applied,
// client_view.h). Chosen by the listener and the source network (dns_server.h).
enum class DnsView : uint8_t { assignment = 0, client = 1 };
constexpr size_t dns_view_count = 2;

// "assignment" / "client", for logs and metrics.
inline const char* dns_view_name(DnsView view) { return view == DnsView::client ? "client" : "assignment"; }

// Gives the journal of the moment; asked only for IXFR, so plain queries pay nothing.
using JournalSource = std::function<std::shared_ptr<const Journal>()>;

// The response to `request`: false when none is due (shorter than a header, a response,
// or the update handler said so). Otherwise `out` holds the first message and, for a zone
// transfer over TCP that needs more, `more` the stream of the rest.
//
// Beyond answer(): a request whose TSIG fails gets NOTAUTH with the TSIG error (RFC 8945
// §5.2); a validly signed one gets a signed response. AXFR/IXFR: NOTAUTH for a name that
// is not one of our zones' apex, REFUSED when the ACL does not allow it, FORMERR for an
// IXFR without the client's SOA; AXFR over UDP gets an empty TC answer (RFC 5936 §4.2:
// not defined over UDP, so the client retries over TCP); IXFR over UDP gets the whole
// answer when it fits one message, else the current SOA only (RFC 1995 §2). Never throws.
bool respond(const DnsPolicy& policy, const ZoneSet& zones, const JournalSource& journal, const DnsRequest& request,
             std::vector<uint8_t>& out, std::unique_ptr<TransferStream>& more);

// The same for a request answered from `view` (`zones` are that view's). The client
// view refuses AXFR and IXFR (REFUSED, signed when the request was): transfers are of
// the assignment view, whose serials the client zones share with other content. UPDATE
// goes to the same handler in both views.
// Queries in the client view are answered with `mappings` (the accounts' mapping rules,
// policy_view.h), for the request's source and, when signed, its TSIG key.
bool respond(const DnsPolicy& policy, const ZoneSet& zones, const JournalSource& journal, const DnsRequest& request,
             DnsView view, std::vector<uint8_t>& out, std::unique_ptr<TransferStream>& more,
             const PolicyView* mappings = nullptr);

}  // namespace patchbay
