#include "api_client.h"

#include <curl/curl.h>

namespace patchbay {

namespace {

struct CurlFree {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t collect(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

}  // namespace

ApiClient::ApiClient(std::string base, std::string token, Timeouts timeouts)
    : base_(std::move(base)), token_(std::move(token)), timeouts_(timeouts) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

std::string ApiClient::segment(const std::string& text) {
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    char* escaped = curl_easy_escape(curl.get(), text.c_str(), static_cast<int>(text.size()));
    std::string out = escaped ? escaped : text;
    curl_free(escaped);
    return out;
}

Result<ApiAnswer> ApiClient::call(const std::string& method, const std::string& path,
                                  const nlohmann::json* body) const {
    std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
    if (!curl) return fail(ErrorKind::internal, "cannot initialise libcurl");
    std::string url = base_ + path, payload, received;
    char error[CURL_ERROR_SIZE] = {};
    std::unique_ptr<curl_slist, SlistFree> headers;
    auto add_header = [&headers](const std::string& h) {
        headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    add_header("Accept: application/json");
    if (!token_.empty()) add_header("Authorization: Bearer " + token_);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
    if (body) {
        payload = body->dump();
        add_header("Content-Type: application/json");
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    }
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, timeouts_.connect_ms);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeouts_.total_ms);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK)
        return fail(ErrorKind::unavailable, "cannot reach the controller at " + base_ + ": " +
                                                (error[0] ? error : curl_easy_strerror(rc)));
    ApiAnswer answer;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
    answer.body = nlohmann::json::parse(received, nullptr, false);
    if (answer.body.is_discarded()) answer.body = nullptr;
    return answer;
}

}  // namespace patchbay
