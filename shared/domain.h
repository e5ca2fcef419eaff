// Domain names as users type them: validated, lower-cased, without the trailing dot.
#pragma once

#include <string>
#include <string_view>

#include "result.h"

namespace patchbay {

// Checks a host-style domain name (RFC 1035 §2.3.1 letters/digits/hyphen labels of
// 1–63 octets, ≤ 253 in all) and returns it lower-cased without a trailing dot.
// Errors say which label is wrong and why.
Result<std::string> normalize_domain(std::string_view text);

// True when `name` equals `zone` or lies below it (both normalized).
bool in_zone(std::string_view name, std::string_view zone);

// A service or transport label as it appears in an SRV owner name without the
// leading underscore (RFC 6335 §5.1: 1–15 of letters, digits, hyphens; a letter
// somewhere; no hyphen at either end). Returned lower-cased.
Result<std::string> normalize_service(std::string_view text);
// One of tcp, udp, sctp, tls, dccp (the SRV "proto" labels in use). Lower-cased.
Result<std::string> normalize_transport(std::string_view text);

}  // namespace patchbay
