// ecs: the RFC 7871 §6 option format, read with every check of §6 and §7.1.2, written
// for responses as §7.2.1 says.
#include "ecs.h"

#include <algorithm>
#include <array>
#include <string>

namespace patchbay {

namespace {

constexpr uint16_t header_size = 4;  // FAMILY, SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH

std::optional<Family> family_of(uint16_t value) {
    if (value == ecs_family_ipv4) return Family::v4;
    if (value == ecs_family_ipv6) return Family::v6;
    return std::nullopt;
}

uint16_t address_bytes(uint8_t prefix) { return static_cast<uint16_t>((prefix + 7) / 8); }

// The first option `code` of `opt` and whether another one follows.
const uint8_t* first_option(const knot_rrset_t* opt, uint16_t code, bool& repeated) {
    const uint8_t* found = knot_edns_get_option(opt, code, nullptr);
    repeated = found != nullptr && knot_edns_get_option(opt, code, found) != nullptr;
    return found;
}

}  // namespace

Result<std::optional<ClientSubnet>> client_subnet(const knot_pkt_t* query) {
    if (query == nullptr || query->opt_rr == nullptr) return std::optional<ClientSubnet>{};
    bool repeated = false;
    const uint8_t* option = first_option(query->opt_rr, KNOT_EDNS_OPTION_CLIENT_SUBNET, repeated);
    if (option == nullptr) return std::optional<ClientSubnet>{};
    if (repeated) return fail("ECS option repeated");

    uint16_t length = knot_edns_opt_get_length(option);
    const uint8_t* data = option + KNOT_EDNS_OPTION_HDRLEN;
    if (length < header_size) return fail("ECS option shorter than 4 bytes");
    uint16_t family_value = knot_wire_read_u16(data);
    uint8_t source = data[2];
    uint8_t scope = data[3];
    auto family = family_of(family_value);
    if (!family) {
        return fail("ECS FAMILY " + std::to_string(family_value) + " is not 1 (IPv4) or 2 (IPv6)");
    }
    uint8_t bits = family_bits(*family);
    if (source > bits) {
        return fail("ECS SOURCE PREFIX-LENGTH " + std::to_string(source) + " is over " + std::to_string(bits));
    }
    if (scope != 0) {
        return fail("ECS SCOPE PREFIX-LENGTH " + std::to_string(scope) + " in a query (must be 0)");
    }
    uint16_t given = length - header_size;
    uint16_t needed = address_bytes(source);
    if (given != needed) {
        return fail("ECS ADDRESS has " + std::to_string(given) + " bytes, SOURCE PREFIX-LENGTH " +
                    std::to_string(source) + " needs " + std::to_string(needed));
    }
    ClientSubnet subnet;
    subnet.address.family = *family;
    subnet.source_prefix = source;
    std::copy(data + header_size, data + header_size + given, subnet.address.bytes.begin());
    if (source % 8 != 0) {
        uint8_t host_mask = static_cast<uint8_t>(0xff >> (source % 8));
        if ((subnet.address.bytes[given - 1] & host_mask) != 0) {
            return fail("ECS ADDRESS has bits set past SOURCE PREFIX-LENGTH " + std::to_string(source));
        }
    }
    return std::optional<ClientSubnet>{subnet};
}

uint16_t write_client_subnet(uint8_t* out, uint16_t out_len, const ClientSubnet& subnet, uint8_t scope) {
    uint8_t bits = family_bits(subnet.address.family);
    if (scope > bits || subnet.source_prefix > bits) return 0;
    uint16_t bytes = address_bytes(subnet.source_prefix);
    uint16_t total = static_cast<uint16_t>(header_size + bytes);
    if (out == nullptr || out_len < total) return 0;
    knot_wire_write_u16(out, subnet.address.family == Family::v4 ? ecs_family_ipv4 : ecs_family_ipv6);
    out[2] = subnet.source_prefix;
    out[3] = scope;
    std::copy(subnet.address.bytes.begin(), subnet.address.bytes.begin() + bytes, out + header_size);
    if (subnet.source_prefix % 8 != 0) {  // keep the host bits zero even if the caller did not
        out[total - 1] &= static_cast<uint8_t>(0xff << (8 - subnet.source_prefix % 8));
    }
    return total;
}

int put_client_subnet(knot_rrset_t* opt, const ClientSubnet& subnet, uint8_t scope, knot_mm_t* mm) {
    if (opt == nullptr) return KNOT_EINVAL;
    std::array<uint8_t, header_size + 16> body{};
    uint16_t size = write_client_subnet(body.data(), static_cast<uint16_t>(body.size()), subnet, scope);
    if (size == 0) return KNOT_EINVAL;
    return knot_edns_add_option(opt, KNOT_EDNS_OPTION_CLIENT_SUBNET, size, body.data(), mm);
}

bool set_client_subnet_scope(knot_rrset_t* opt, uint8_t scope) {
    if (opt == nullptr) return false;
    uint8_t* option = knot_edns_get_option(opt, KNOT_EDNS_OPTION_CLIENT_SUBNET, nullptr);
    if (option == nullptr || knot_edns_opt_get_length(option) < header_size) return false;
    uint8_t* data = option + KNOT_EDNS_OPTION_HDRLEN;
    auto family = family_of(knot_wire_read_u16(data));
    if (!family || scope > family_bits(*family)) return false;
    data[3] = scope;
    return true;
}

}  // namespace patchbay
