// One JSON POST at a time through the agent's CurlLoop (never blocking the loop): the
// registration with the controller uses it. The easy handle is kept, so a repeated POST
// to the same controller reuses its connection.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "api_client.h"
#include "curl_loop.h"

namespace patchbay {

class JsonPost {
public:
    explicit JsonPost(CurlLoop& curl) : curl_(curl) {}
    JsonPost(const JsonPost&) = delete;
    JsonPost& operator=(const JsonPost&) = delete;
    ~JsonPost();

    // POSTs `body` to `url` with "Authorization: Bearer TOKEN" (none if empty); a POST
    // still in flight is cancelled first. `done` gets the answer (any status), or an
    // error (kind unavailable) naming the transport failure.
    void post(const std::string& url, const std::string& token, const nlohmann::json& body, long timeout_ms,
              std::function<void(Result<ApiAnswer>)> done);
    bool busy() const { return busy_; }

private:
    struct SlistDeleter {
        void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
    };
    CurlLoop& curl_;
    CurlEasyPtr easy_;
    std::unique_ptr<curl_slist, SlistDeleter> headers_;
    std::string url_, request_, answer_;
    char error_[CURL_ERROR_SIZE] = {};
    bool busy_ = false;
};

}  // namespace patchbay
