// systemd unit names for tuples: template "patchbay-http@.service" + tuple
// http/tcp 10.10.10.121:80 ⇒ "patchbay-http@10.10.10.121:80-tcp.service".
// The instance is systemd-escaped "ADDR:PORT/TRANSPORT", so `%I` in a unit gives back
// that text and IPv6 needs no brackets (the port follows the last colon).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.h"
#include "tuple.h"

namespace patchbay {

// systemd's unit_name_escape(): '/' ⇒ '-', anything but [A-Za-z0-9:_.] (and a
// leading '.') ⇒ "\xNN". Same output as `systemd-escape TEXT`.
std::string unit_escape(std::string_view text);
// The inverse ('-' ⇒ '/', "\xNN" ⇒ byte). Errors on a malformed escape.
Result<std::string> unit_unescape(std::string_view text);

// Checks a template unit name ("NAME@.service"). Errors say what is wrong.
Result<void> check_unit_template(std::string_view templ);

// "ADDR:PORT/TRANSPORT" (the unescaped instance).
std::string instance_text(const TupleKey& key);
// The instance unit of `templ` for `key`.
std::string instance_unit(std::string_view templ, const TupleKey& key);
// If `unit` is an instance of `templ`, the tuple key it stands for (service taken from
// `service`); nullopt when it is not an instance of `templ` or its instance does not
// parse as ADDR:PORT/TRANSPORT.
std::optional<TupleKey> parse_instance_unit(std::string_view templ, std::string_view service,
                                            std::string_view unit);

}  // namespace patchbay
