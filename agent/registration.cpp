#include "registration.h"

#include <fstream>
#include <memory>
#include <sstream>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

namespace patchbay {

namespace {

struct CurlFree {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
    void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

size_t collect(char* data, size_t size, size_t count, void* out) {
    auto* body = static_cast<std::string*>(out);
    if (body->size() < 4096) body->append(data, size * count);  // enough for a message
    return size * count;
}

}  // namespace

std::string registration_body(const std::string& name, const std::string& notify,
                              const std::vector<std::string>& domains) {
    nlohmann::json j;
    j["name"] = name;
    if (!notify.empty()) j["notify"] = notify;
    j["domains"] = domains;
    return j.dump();
}

Result<std::string> read_token(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("cannot read token_file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string t = text.str();
    const char* space = " \t\r\n";
    size_t begin = t.find_first_not_of(space);
    if (begin == std::string::npos) return fail("token_file " + path + " is empty");
    size_t end = t.find_last_not_of(space);
    return t.substr(begin, end - begin + 1);
}

Result<void> post_registration(const std::string& controller, const std::string& token,
                               const std::string& body) {
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) return fail("curl_easy_init failed");
    std::string url = controller + "/v1/agents";
    std::unique_ptr<curl_slist, SlistFree> headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    if (!token.empty())
        headers.reset(curl_slist_append(headers.release(), ("Authorization: Bearer " + token).c_str()));
    std::string answer;
    char error[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);  // it runs on the loop: keep it short
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    if (CURLcode r = curl_easy_perform(c); r != CURLE_OK)
        return fail("POST " + url + ": " + (error[0] ? std::string(error) : curl_easy_strerror(r)));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        if (answer.size() > 200) answer.resize(200);
        return fail("POST " + url + ": HTTP " + std::to_string(status) + " " + answer);
    }
    return {};
}

}  // namespace patchbay
