// The answer to a DNS NOTIFY (RFC 1996), as a pure function of the request bytes. The
// listener sends what this returns and refreshes the domain it names; nothing here does I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace patchbay {

struct NotifyOutcome {
    std::vector<uint8_t> reply;          // empty: send nothing (drop)
    std::optional<std::string> refresh;  // the domain to refresh now, when the NOTIFY is ours
    std::string note;                    // why, for the log
};

// RFC 1996 §4.7: a NOTIFY (opcode 4, QTYPE SOA, class IN) for one of `domains` gets a
// reply with the same id, QR, opcode NOTIFY, AA and the question copied. Other opcodes and
// foreign zones get REFUSED, a malformed request FORMERR; responses (QR set) and packets
// shorter than a header are dropped, so two listeners can never answer each other forever.
NotifyOutcome answer_notify(const uint8_t* wire, size_t size, const std::vector<std::string>& domains);

}  // namespace patchbay
