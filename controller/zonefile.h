// zonefile: zones in RFC 1035 master format, the form every DNS tool reads and writes.
// Reading is libzscanner's (Knot's own parser); writing is libknot's record printer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record.h"
#include "result.h"
#include "zone.h"

namespace patchbay {

struct ZoneFile {
    std::string zone;             // normalized, no trailing dot
    uint32_t serial = 0;          // from its SOA
    std::vector<Record> records;  // every record but the SOA
};

// Parses a whole zone file held in memory. `zone` names the zone when the file does not
// (no $ORIGIN and relative names); otherwise the zone is the owner of the file's SOA.
// `source` names the input in errors, which say what and where:
// "hostdomain.zone:12: unknown record type (AAA)". Refused: $INCLUDE (the controller
// does not read files named by its clients), classes other than IN (the parser reads IN
// only), no SOA or several,
// an SOA for another zone than `zone`, owners outside the zone.
Result<ZoneFile> parse_zone_file(std::string_view text, const std::optional<std::string>& zone,
                                 std::string_view source);

// The zone in master format: a comment, $ORIGIN, the SOA, then every record in sorted
// order with absolute names, one per line. parse_zone_file reads it back to the same
// records.
std::string format_zone_file(const Zone& zone);

}  // namespace patchbay
