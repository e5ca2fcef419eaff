// tsig: thin wrappers around libknot's tsig-op. libknot's parser strips the TSIG record
// from the wire it parses (ARCOUNT decremented, size reduced), which is exactly the form
// knot_tsig_server_check wants, so checking works on a parsed copy of the request.
#include "tsig.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace patchbay {

namespace {

struct PktFree {
    void operator()(knot_pkt_t* pkt) const { knot_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<knot_pkt_t, PktFree>;

constexpr size_t max_digest = 64;  // HMAC-SHA512

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

// RFC 4648 base64, padding required when the length asks for it; whitespace refused.
bool valid_base64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return false;
    size_t pad = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '=') {
            if (i < text.size() - 2) return false;
            ++pad;
        } else if (pad > 0 || !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) {
            return false;
        }
    }
    return pad <= 2;
}

uint16_t tsig_error_of(int ret) {
    switch (ret) {
    case KNOT_TSIG_EBADKEY: return KNOT_RCODE_BADKEY;
    case KNOT_TSIG_EBADTIME: return KNOT_RCODE_BADTIME;
    case KNOT_TSIG_EBADTRUNC: return KNOT_RCODE_BADTRUNC;
    default: return KNOT_RCODE_BADSIG;  // any other failure: the MAC could not be trusted
    }
}

}  // namespace

Result<std::shared_ptr<const TsigKey>> TsigKey::make(std::string_view name, std::string_view algorithm,
                                                     std::string_view secret_base64) {
    std::string alg = lower(algorithm);
    // The algorithms libknot implements (libdnssec's table), by their RFC 8945 names.
    static constexpr std::array<std::string_view, 6> known{"hmac-md5", "hmac-sha1", "hmac-sha224",
                                                           "hmac-sha256", "hmac-sha384", "hmac-sha512"};
    if (std::find(known.begin(), known.end(), alg) == known.end()) {
        return fail("unknown TSIG algorithm '" + std::string(algorithm) +
                    "' (expected hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224, hmac-sha1 or hmac-md5)");
    }
    if (secret_base64.empty()) return fail("secret is empty");
    if (!valid_base64(secret_base64)) return fail("secret is not valid base64");
    std::string key_name = lower(name);
    knot_dname_storage_t check;
    if (key_name.empty() || knot_dname_from_str(check, (key_name + ".").c_str(), sizeof check) == nullptr) {
        return fail("not a DNS name: '" + std::string(name) + "'");
    }
    std::shared_ptr<TsigKey> key(new TsigKey());
    std::string secret(secret_base64);
    if (knot_tsig_key_init(&key->key_, alg.c_str(), (key_name + ".").c_str(), secret.c_str()) != KNOT_EOK) {
        return fail("secret is not valid base64");
    }
    knot_dname_to_lower(key->key_.name);
    key->name_ = key_name;
    key->algorithm_ = alg;
    return std::shared_ptr<const TsigKey>(std::move(key));
}

TsigKey::~TsigKey() { knot_tsig_key_deinit(&key_); }

size_t TsigKey::wire_size() const { return knot_tsig_wire_size(&key_); }

std::shared_ptr<const TsigKey> find_key(const Keyring& keys, std::string_view name) {
    std::string wanted = lower(name);
    for (const auto& k : keys)
        if (k->name() == wanted) return k;
    return nullptr;
}

TsigCheck tsig_verify(const knot_pkt_t& request, const Keyring& keys) {
    TsigCheck check;
    const knot_rrset_t* tsig = request.tsig_rr;
    if (tsig == nullptr) return check;
    check.signed_request = true;
    check.request_tsig.reset(knot_rrset_copy(tsig, nullptr));
    check.time_signed = knot_tsig_rdata_time_signed(tsig);

    // RFC 8945 §5.2.1: an unknown key name, or a known one with another algorithm, is BADKEY.
    char* owner_text = knot_dname_to_str_alloc(tsig->owner);
    std::string owner = owner_text ? owner_text : "";
    std::free(owner_text);
    auto key = find_key(keys, owner);
    if (!key || key->knot().algorithm != knot_tsig_rdata_alg(tsig) || !check.request_tsig) {
        check.error = KNOT_RCODE_BADKEY;
        return check;
    }
    int ret = knot_tsig_server_check(tsig, request.wire, request.size, &key->knot());
    if (ret != KNOT_EOK) check.error = tsig_error_of(ret);
    // §5.2.3: a BADTIME answer is still signed, with the key the request used.
    if (ret == KNOT_EOK || check.error == KNOT_RCODE_BADTIME) {
        check.key = key;
        const uint8_t* mac = knot_tsig_rdata_mac(tsig);
        check.request_mac.assign(mac, mac + knot_tsig_rdata_mac_length(tsig));
    }
    return check;
}

TsigCheck tsig_verify(const uint8_t* wire, size_t len, const Keyring& keys) {
    if (wire == nullptr || len < KNOT_WIRE_HEADER_SIZE || len > KNOT_WIRE_MAX_PKTSIZE ||
        knot_wire_get_arcount(wire) == 0) {
        return {};  // no additional record, so no TSIG: the cheap common case
    }
    std::vector<uint8_t> copy(wire, wire + len);  // the parser rewrites the header
    PktPtr pkt(knot_pkt_new(copy.data(), static_cast<uint16_t>(copy.size()), nullptr));
    if (!pkt || knot_pkt_parse(pkt.get(), 0) != KNOT_EOK) return {};
    return tsig_verify(*pkt, keys);
}

TsigSigner::TsigSigner(std::shared_ptr<const TsigKey> key, std::vector<uint8_t> request_mac)
    : key_(std::move(key)), mac_(std::move(request_mac)) {}

Result<void> TsigSigner::sign(std::vector<uint8_t>& message, size_t limit) {
    size_t len = message.size();
    message.resize(std::max(limit, len));
    std::array<uint8_t, max_digest> digest{};
    size_t digest_len = digest.size();
    int ret;
    if (first_) {
        ret = knot_tsig_sign(message.data(), &len, message.size(), mac_.data(), mac_.size(), digest.data(),
                             &digest_len, &key_->knot(), 0, 0);
    } else {
        // §5.3.1: later messages cover the previous MAC, the message and the timers only.
        ret = knot_tsig_sign_next(message.data(), &len, message.size(), mac_.data(), mac_.size(), digest.data(),
                                  &digest_len, &key_->knot(), message.data(), len);
    }
    message.resize(len);
    if (ret != KNOT_EOK) return fail(std::string("cannot sign the response: ") + knot_strerror(ret));
    mac_.assign(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(digest_len));
    first_ = false;
    return {};
}

Result<void> tsig_error_response(std::vector<uint8_t>& message, size_t limit, const TsigCheck& check) {
    if (message.size() < KNOT_WIRE_HEADER_SIZE || !check.request_tsig) {
        return fail("cannot add the TSIG error record: no request TSIG");
    }
    knot_wire_set_rcode(message.data(), KNOT_RCODE_NOTAUTH);
    size_t len = message.size();
    message.resize(std::max(limit, len));
    int ret;
    if (check.error == KNOT_RCODE_BADTIME && check.key) {
        std::array<uint8_t, max_digest> digest{};
        size_t digest_len = digest.size();
        ret = knot_tsig_sign(message.data(), &len, message.size(), check.request_mac.data(),
                             check.request_mac.size(), digest.data(), &digest_len, &check.key->knot(),
                             KNOT_RCODE_BADTIME, check.time_signed);
    } else {
        ret = knot_tsig_add(message.data(), &len, message.size(), check.error, check.request_tsig.get());
    }
    message.resize(len);
    if (ret != KNOT_EOK) return fail(std::string("cannot add the TSIG error record: ") + knot_strerror(ret));
    return {};
}

Result<void> tsig_sign_request(std::vector<uint8_t>& message, const TsigKey& key) {
    size_t len = message.size();
    message.resize(len + key.wire_size());
    std::array<uint8_t, max_digest> digest{};
    size_t digest_len = digest.size();
    int ret = knot_tsig_sign(message.data(), &len, message.size(), nullptr, 0, digest.data(), &digest_len,
                             &key.knot(), 0, 0);
    message.resize(len);
    if (ret != KNOT_EOK) return fail(std::string("cannot sign the request: ") + knot_strerror(ret));
    return {};
}

}  // namespace patchbay
