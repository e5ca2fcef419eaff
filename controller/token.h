// API bearer tokens: random on creation, kept only as SHA-256 digests.
#pragma once

#include <string>
#include <string_view>

namespace patchbay {

// 32 random bytes (OpenSSL RAND_bytes) as 64 hex characters, prefixed "pb_".
std::string new_token();
// 32 random bytes in base64: a TSIG secret (--dev's update key).
std::string new_tsig_secret();
// Lower-case hex SHA-256 of the token text.
std::string token_digest(std::string_view token);

}  // namespace patchbay
