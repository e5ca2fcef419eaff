// zone_text: a Zone snapshot from records in presentation format (RFC 1035 §5.1), parsed
// by libzscanner. For unit tests and fuzz targets, which need zones holding any record
// type (CNAME, MX, delegations, wildcards, ...); not the zone-file import of the API.
#pragma once

#include <memory>
#include <string_view>

#include "result.h"
#include "zone.h"

namespace patchbay {

// The zone `name` (e.g. "example.com") from `text`: zone-file lines, relative names
// completed with `name`, $ORIGIN and $TTL honoured, default TTL 3600. Records of one
// owner and type form one RRset (the first record's TTL); empty non-terminals are
// added. The serial is the SOA's.
//
// Errors (invalid): a syntax error (with its line), $INCLUDE, a class other than IN, a
// record outside the zone, no SOA at the apex.
Result<std::shared_ptr<const Zone>> zone_from_text(std::string_view name, std::string_view text);

}  // namespace patchbay
