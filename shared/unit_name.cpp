#include "unit_name.h"

#include <cctype>
#include <cstdio>

#include "domain.h"

namespace patchbay {

namespace {

bool plain_unit_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_' || c == '.';
}

void escape_char(char c, std::string& out) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
    out += buf;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr std::string_view kTemplateSuffix = "@.service";

}  // namespace

std::string unit_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (i == 0 && c == '.')
            escape_char(c, out);
        else if (c == '/')
            out += '-';
        else if (plain_unit_char(c))
            out += c;
        else
            escape_char(c, out);
    }
    return out;
}

Result<std::string> unit_unescape(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '-') {
            out += '/';
        } else if (c == '\\') {
            if (i + 3 >= text.size())
                return fail("truncated escape in '" + std::string(text) + "'");
            if (text[i + 1] != 'x') return fail("bad escape in '" + std::string(text) + "'");
            int hi = hex_value(text[i + 2]), lo = hex_value(text[i + 3]);
            if (hi < 0 || lo < 0) return fail("bad escape in '" + std::string(text) + "'");
            out += static_cast<char>(hi * 16 + lo);
            i += 3;
        } else {
            out += c;
        }
    }
    return out;
}

Result<void> check_unit_template(std::string_view templ) {
    if (!templ.ends_with(kTemplateSuffix))
        return fail("unit '" + std::string(templ) +
                    "' is not a service template (it must end in \"@.service\")");
    std::string_view prefix = templ.substr(0, templ.size() - kTemplateSuffix.size());
    if (prefix.empty()) return fail("unit template '" + std::string(templ) + "' has no name");
    for (char c : prefix)
        if (!plain_unit_char(c) && c != '-' && c != '\\')
            return fail("unit template '" + std::string(templ) + "' has the character '" +
                        std::string(1, c) + "', which systemd does not allow in unit names");
    return {};
}

std::string instance_text(const TupleKey& key) {
    return key.address.str() + ":" + std::to_string(key.port) + "/" + key.transport;
}

std::string instance_unit(std::string_view templ, const TupleKey& key) {
    std::string_view prefix = templ.substr(0, templ.size() - kTemplateSuffix.size());
    return std::string(prefix) + "@" + unit_escape(instance_text(key)) + ".service";
}

std::optional<TupleKey> parse_instance_unit(std::string_view templ, std::string_view service,
                                            std::string_view unit) {
    if (!templ.ends_with(kTemplateSuffix) || !unit.ends_with(".service")) return std::nullopt;
    std::string_view prefix = templ.substr(0, templ.size() - kTemplateSuffix.size() + 1);  // "name@"
    if (!unit.starts_with(prefix)) return std::nullopt;
    std::string_view escaped =
        unit.substr(prefix.size(), unit.size() - prefix.size() - std::string_view(".service").size());
    auto text = unit_unescape(escaped);
    if (!text) return std::nullopt;
    auto slash = text->rfind('/');
    if (slash == std::string::npos) return std::nullopt;
    auto transport = normalize_transport(std::string_view(*text).substr(slash + 1));
    auto colon = text->rfind(':', slash);
    if (!transport || colon == std::string::npos) return std::nullopt;
    auto address = Address::parse(std::string_view(*text).substr(0, colon));
    auto port = parse_u16(std::string_view(*text).substr(colon + 1, slash - colon - 1), "port");
    if (!address || !port) return std::nullopt;
    return TupleKey{std::string(service), *transport, *address, *port};
}

}  // namespace patchbay
