// dname: conversions between the names users write and libknot's wire form, in one
// place so every module keys names the same way (lower-case wire bytes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

extern "C" {
#include <libknot/libknot.h>
}

namespace patchbay {

// Lower-case wire form of a presentation name (absolute; the trailing dot is optional);
// nullopt when it is not a valid name.
std::optional<std::string> wire_name(std::string_view text);

// A wire name held in a string as libknot's pointer type.
inline const knot_dname_t* as_dname(const std::string& wire) {
    return reinterpret_cast<const knot_dname_t*>(wire.data());
}

// The wire bytes of `name` (through its terminating root label).
inline std::string_view wire_view(const knot_dname_t* name) {
    return {reinterpret_cast<const char*>(name), knot_dname_size(name)};
}

// Presentation form without the trailing dot ("www.hostdomain.com"; the root is "."),
// as written in the wire form (case kept).
std::string name_text(const knot_dname_t* name);

}  // namespace patchbay
