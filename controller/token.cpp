#include "token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace patchbay {

namespace {

std::string hex(const unsigned char* data, size_t len) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (size_t i = 0; i < len; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0xf];
    }
    return out;
}

}  // namespace

std::string new_token() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("no randomness for a token (RAND_bytes failed)");
    return "pb_" + hex(bytes.data(), bytes.size());
}

std::string new_tsig_secret() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("no randomness for a TSIG secret (RAND_bytes failed)");
    std::array<unsigned char, 4 * ((32 + 2) / 3) + 1> text{};
    int len = EVP_EncodeBlock(text.data(), bytes.data(), static_cast<int>(bytes.size()));
    return std::string(reinterpret_cast<const char*>(text.data()), static_cast<size_t>(len));
}

std::string token_digest(std::string_view token) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    EVP_Digest(token.data(), token.size(), digest.data(), &len, EVP_sha256(), nullptr);
    return hex(digest.data(), len);
}

}  // namespace patchbay
