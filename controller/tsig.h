// tsig: transaction signatures (RFC 8945) over libknot's tsig-op — the keys from the
// config, the check of a signed request and the signing of its response, one message or
// a stream of them (a zone transfer signs every message, §5.3.1). Shared by the zone
// transfer path and by whatever else takes signed requests (RFC 2136 UPDATE).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include <libknot/libknot.h>
}

#include "result.h"
#include "zone.h"

namespace patchbay {

// One shared secret: a DNS name, an HMAC algorithm, the secret bytes. Immutable.
class TsigKey {
public:
    // `name` is a DNS name ("transfer" or "transfer."), `algorithm` one libknot knows
    // (hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512), `secret`
    // base64. Errors: "not a DNS name: …", "unknown TSIG algorithm '…' (expected …)",
    // "secret is not valid base64", "secret is empty".
    static Result<std::shared_ptr<const TsigKey>> make(std::string_view name, std::string_view algorithm,
                                                       std::string_view secret_base64);
    ~TsigKey();
    TsigKey(const TsigKey&) = delete;
    TsigKey& operator=(const TsigKey&) = delete;

    // Lower case, no trailing dot: "transfer". The name ACLs refer to.
    const std::string& name() const { return name_; }
    const std::string& algorithm() const { return algorithm_; }  // "hmac-sha256"
    const knot_tsig_key_t& knot() const { return key_; }
    // Bytes a TSIG record signed with this key takes in a message (BADTIME ones excepted).
    size_t wire_size() const;

private:
    TsigKey() = default;
    std::string name_;
    std::string algorithm_;
    knot_tsig_key_t key_{};
};

using Keyring = std::vector<std::shared_ptr<const TsigKey>>;

// The key of that name (any case, trailing dot optional), or nullptr.
std::shared_ptr<const TsigKey> find_key(const Keyring& keys, std::string_view name);

// What checking a request's TSIG found.
struct TsigCheck {
    bool signed_request = false;      // the request carried a TSIG record
    uint16_t error = 0;               // 0, or BADSIG (16), BADKEY (17), BADTIME (18), BADTRUNC (22)
    std::shared_ptr<const TsigKey> key;  // the key it was signed with: set when error is 0 or BADTIME
    std::vector<uint8_t> request_mac;    // the request's MAC, which the response signature covers
    uint64_t time_signed = 0;            // the request's time signed (for BADTIME answers)
    RRsetPtr request_tsig;               // a copy of the request's TSIG record (for error answers)

    // Signed by one of our keys and valid now.
    bool ok() const { return signed_request && error == 0; }
};

// Checks the TSIG of the request in wire[0, len) against `keys` (RFC 8945 §5.2: key and
// algorithm, then MAC, then time). An unsigned request gives signed_request = false; a
// request that does not parse as DNS gives signed_request = false too (the caller's own
// parser answers FORMERR). Never throws.
TsigCheck tsig_verify(const uint8_t* wire, size_t len, const Keyring& keys);
// The same for a request libknot has parsed already (its TSIG stripped into tsig_rr).
TsigCheck tsig_verify(const knot_pkt_t& request, const Keyring& keys);

// Signs the messages of one response: the first covers the request MAC (RFC 8945 §5.3),
// each later one the previous MAC (§5.3.1). Messages must leave key.wire_size() bytes
// free below their size limit.
class TsigSigner {
public:
    TsigSigner(std::shared_ptr<const TsigKey> key, std::vector<uint8_t> request_mac);
    // Appends the TSIG record to the message in `message` (ARCOUNT updated); `limit` is
    // the size it may grow to. Errors: "cannot sign the response: REASON".
    Result<void> sign(std::vector<uint8_t>& message, size_t limit);
    const TsigKey& key() const { return *key_; }

private:
    std::shared_ptr<const TsigKey> key_;
    std::vector<uint8_t> mac_;  // the request's, then the last one we sent
    bool first_ = true;
};

// Turns `message` (a response being built, with its question) into the error answer of
// RFC 8945 §5.2: RCODE NOTAUTH and a TSIG record carrying check.error — unsigned (empty
// MAC) for BADKEY/BADSIG/BADTRUNC, signed for BADTIME (with our time in other data).
// Errors: "cannot add the TSIG error record: REASON".
Result<void> tsig_error_response(std::vector<uint8_t>& message, size_t limit, const TsigCheck& check);

// Signs a request we send (a NOTIFY to a secondary): appends the TSIG record.
// Errors: "cannot sign the request: REASON".
Result<void> tsig_sign_request(std::vector<uint8_t>& message, const TsigKey& key);

}  // namespace patchbay
