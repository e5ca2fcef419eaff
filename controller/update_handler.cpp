#include "update_handler.h"

#include <memory>
#include <optional>

#include "dname.h"
#include "domain.h"
#include "log.h"
#include "response.h"

namespace patchbay {

namespace {

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<knot_pkt_t, PktFree>;

const char* rcode_name(uint16_t rcode) {
    const knot_lookup_t* item = knot_lookup_by_id(knot_rcode_names, rcode);
    return item ? item->name : "?";
}

}  // namespace

UpdateHandler make_update_handler(Controller& controller, Keyring keys, std::vector<AclEntry> acl,
                                  std::map<std::string, std::string> key_accounts) {
    return [&controller, keys = std::move(keys), acl = std::move(acl), key_accounts = std::move(key_accounts)](
               const DnsRequest& request, std::vector<uint8_t>& out) {
        std::vector<uint8_t> copy(request.wire, request.wire + request.len);  // the parser rewrites it
        PktPtr query(knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr));
        if (!query) throw std::bad_alloc();
        // RFC 2136 §2.3: exactly one zone, named by an SOA question of the zone's class.
        if (knot_pkt_parse(query.get(), 0) != KNOT_EOK || knot_wire_get_qdcount(query->wire) != 1 ||
            knot_pkt_qtype(query.get()) != KNOT_RRTYPE_SOA || knot_pkt_qclass(query.get()) != KNOT_CLASS_IN) {
            header_only_response(request.wire, KNOT_RCODE_FORMERR, out);
            return true;
        }
        // The response holds the zone section and at most a TSIG: it fits 512 bytes.
        size_t limit = request.transport == Transport::tcp ? KNOT_WIRE_MAX_PKTSIZE : KNOT_WIRE_MIN_PKTSIZE;
        TsigCheck check = tsig_verify(*query, keys);
        if (check.signed_request && check.error != 0) {
            {
                ResponseMessage msg(out, *query, limit, 0);
                msg.finish(KNOT_RCODE_NOTAUTH, false);
            }
            (void)tsig_error_response(out, limit, check);
            return true;
        }
        std::optional<TsigSigner> signer;
        if (check.ok()) signer.emplace(check.key, check.request_mac);
        auto reply = [&](uint16_t rcode) {
            {
                ResponseMessage msg(out, *query, limit, signer ? signer->key().wire_size() : 0);
                msg.finish(rcode, false);
            }
            if (signer) (void)signer->sign(out, limit);
            return true;
        };

        auto zone = normalize_domain(name_text(knot_pkt_qname(query.get())));
        if (!zone) return reply(KNOT_RCODE_NOTAUTH);
        std::optional<std::string> key;
        if (signer) key = signer->key().name();
        std::string who = request.source.address.str() + (key ? " key " + *key : " unsigned");
        log_debug("dns update of " + *zone + " from " + who + ": " + std::to_string(request.len) + " bytes over " +
                      (request.transport == Transport::tcp ? "TCP" : "UDP"),
                  {{LogKey::zone, *zone}, {LogKey::address, request.source.address.str()}});
        if (!acl_allows(acl, AclAction::update, request.source.address, key, *zone)) {
            log_warning("dns update of " + *zone + " from " + who + ": REFUSED by the ACL",
                        {{LogKey::zone, *zone}, {LogKey::address, request.source.address.str()}});
            return reply(KNOT_RCODE_REFUSED);
        }
        if (key) {
            // A key of an account updates that account's zones only; an absent zone is
            // refused too (its owner is unknown), so the answer never tells another
            // account's zones from absent ones.
            if (auto bound = key_accounts.find(*key); bound != key_accounts.end()) {
                auto owner = controller.zone_account(*zone);
                if (!owner || *owner != bound->second) {
                    log_warning("dns update of " + *zone + " from " + who + ": REFUSED (the key is account " +
                                    bound->second + "'s)",
                                {{LogKey::zone, *zone},
                                 {LogKey::address, request.source.address.str()},
                                 {LogKey::account, bound->second}});
                    return reply(KNOT_RCODE_REFUSED);
                }
            }
        }
        // The change log names the key that signed the update, else where it came from.
        std::string author = key ? "tsig:" + *key : "address:" + request.source.address.str();
        auto done = controller.update_zone(*zone, query.get(), author);
        if (!done) {
            log_error("dns update of " + *zone + " from " + who + " failed: " + done.error(),
                      {{LogKey::zone, *zone}, {LogKey::address, request.source.address.str()}});
            return reply(KNOT_RCODE_SERVFAIL);
        }
        LogFields fields{{LogKey::zone, *zone}, {LogKey::address, request.source.address.str()}};
        if (done->change) {
            fields.push_back({LogKey::serial, done->change->serial});
            fields.push_back({LogKey::change, done->change->id});
        }
        log_info("dns update of " + *zone + " from " + who + ": " + rcode_name(done->rcode) +
                     (done->change ? ", serial " + std::to_string(done->change->serial) : ", nothing changed"),
                 fields);
        return reply(done->rcode);
    };
}

}  // namespace patchbay
