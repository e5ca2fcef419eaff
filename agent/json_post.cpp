#include "json_post.h"

namespace patchbay {

JsonPost::~JsonPost() {
    if (easy_) curl_.cancel(easy_.get());
}

void JsonPost::post(const std::string& url, const std::string& token, const nlohmann::json& body, long timeout_ms,
                    std::function<void(Result<ApiAnswer>)> done) {
    if (!easy_) easy_.reset(curl_easy_init());
    if (!easy_) return done(fail(ErrorKind::unavailable, "curl_easy_init failed"));
    curl_.cancel(easy_.get());
    url_ = url;
    request_ = body.dump();
    answer_.clear();
    error_[0] = 0;
    curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json");
    if (!token.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + token).c_str());
    headers_.reset(h);
    CURL* c = easy_.get();
    curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request_.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request_.size()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer_);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* out) {
        auto* s = static_cast<std::string*>(out);
        if (s->size() < 65536) s->append(data, size * count);
        return size * count;
    });
    busy_ = true;
    auto ok = curl_.start(c, [this, done](CURLcode code) {
        busy_ = false;
        if (code != CURLE_OK)
            return done(fail(ErrorKind::unavailable, "cannot reach " + url_ + ": " +
                                                         (error_[0] ? std::string(error_) : curl_easy_strerror(code))));
        ApiAnswer a;
        curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &a.status);
        a.body = nlohmann::json::parse(answer_, nullptr, false);
        if (a.body.is_discarded()) a.body = nullptr;
        done(std::move(a));
    });
    if (!ok) {
        busy_ = false;
        done(fail(ErrorKind::unavailable, ok.error()));
    }
}

}  // namespace patchbay
