// ecs: EDNS Client Subnet (RFC 7871) on the authoritative side — the option of a parsed
// query read and checked, and the option of a response written. Pure functions over
// libknot structures: no allocation on the query path (a Result holds an Error string
// only when the option is malformed).
//
// How the DNS path uses it (answer.cpp builds its OPT as an rrset, reserves its size
// before resolving and puts it last):
//   auto subnet = client_subnet(query);            // after knot_pkt_parse
//   if (!subnet) → FORMERR, without an ECS option (RFC 7871 §7.1.2, §6)
//   if (*subnet) put_client_subnet(&opt, **subnet, 0) before reserving the OPT's size;
//   locate the querier from (*subnet)->address and source_prefix (geo.h);
//   set_client_subnet_scope(&opt, scope) once the answer is known: 0 when the answer
//   does not depend on the querier's address (RFC 7871 §7.2.1), else geo's scope.
// A query without ECS gets no ECS in its response (RFC 7871 §7.2.1: "MUST NOT").
#pragma once

#include <cstdint>
#include <optional>

extern "C" {
#include <libknot/libknot.h>
}

#include "acl.h"
#include "address.h"
#include "result.h"

namespace patchbay {

// RFC 7871 §6 FAMILY values (IANA Address Family Numbers).
constexpr uint16_t ecs_family_ipv4 = 1;
constexpr uint16_t ecs_family_ipv6 = 2;

// The client subnet a query carries: a family, a SOURCE PREFIX-LENGTH and the address
// with every bit past it zero. (Its SCOPE PREFIX-LENGTH is 0: anything else is refused.)
struct ClientSubnet {
    Address address;           // family v4 or v6; host bits zero
    uint8_t source_prefix = 0; // 0..32 or 0..128

    Prefix prefix() const { return Prefix{address, source_prefix}; }
    bool operator==(const ClientSubnet&) const = default;
};

// The ECS option of `query` (parsed by knot_pkt_parse; may be nullptr or without OPT):
// nullopt when it has none. Errors (the caller answers FORMERR, RFC 7871 §7.1.2 and §6;
// messages name the option and what is wrong):
//   "ECS option shorter than 4 bytes",
//   "ECS option repeated" (our choice: two client subnets in one query are ambiguous),
//   "ECS FAMILY N is not 1 (IPv4) or 2 (IPv6)",
//   "ECS SOURCE PREFIX-LENGTH N is over 32|128",
//   "ECS SCOPE PREFIX-LENGTH N in a query (must be 0)",
//   "ECS ADDRESS has N bytes, SOURCE PREFIX-LENGTH S needs M",
//   "ECS ADDRESS has bits set past SOURCE PREFIX-LENGTH S".
Result<std::optional<ClientSubnet>> client_subnet(const knot_pkt_t* query);

// The ECS option's body for `subnet` with `scope`: what client_subnet() reads back.
// RFC 7871 §6: ADDRESS takes ceil(source / 8) bytes. Returns the bytes written (at most
// 4 + 16), or 0 when `out_len` is too small or `scope` is over the family's bits.
uint16_t write_client_subnet(uint8_t* out, uint16_t out_len, const ClientSubnet& subnet, uint8_t scope);

// Adds the ECS option for a response to the OPT rrset `opt` (before it is put in the
// packet, so its size counts when reserved): FAMILY, SOURCE PREFIX-LENGTH and ADDRESS
// copied from the query's, SCOPE PREFIX-LENGTH `scope` (RFC 7871 §7.2.1; a scope longer
// than the source is allowed there, but never longer than the family's bits).
// Returns KNOT_EOK, KNOT_EINVAL (`scope` over 32|128, `opt` nullptr) or KNOT_ENOMEM.
int put_client_subnet(knot_rrset_t* opt, const ClientSubnet& subnet, uint8_t scope, knot_mm_t* mm = nullptr);

// Sets the SCOPE PREFIX-LENGTH of the ECS option already in `opt` (put_client_subnet),
// in place: the size does not change, so a reserved OPT still fits. Returns false when
// `opt` has no well-formed ECS option or `scope` is over the family's bits.
bool set_client_subnet_scope(knot_rrset_t* opt, uint8_t scope);

}  // namespace patchbay
