#include "registration.h"

#include <fstream>
#include <sstream>

#include "api_client.h"

namespace patchbay {

nlohmann::json registration_body(const std::string& name, const std::string& notify,
                                 const std::vector<std::string>& domains) {
    nlohmann::json j;
    j["name"] = name;
    if (!notify.empty()) j["notify"] = notify;
    j["domains"] = domains;
    return j;
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
                               const nlohmann::json& body) {
    // It runs on the loop: keep it short.
    ApiClient client(controller, token, ApiClient::Timeouts{1000, 2000});
    auto answer = client.call("POST", "/v1/agents", &body);
    if (!answer) return answer.failure();
    return registration_outcome(controller, *answer);
}

Result<void> registration_outcome(const std::string& controller, const ApiAnswer& answer) {
    if (answer.status < 200 || answer.status > 299) {
        std::string why = answer.body.is_object() && answer.body.contains("error") ? answer.body["error"].dump()
                                                                                   : answer.body.dump();
        if (why.size() > 200) why.resize(200);
        return fail("POST " + controller + "/v1/agents: HTTP " + std::to_string(answer.status) + " " + why);
    }
    return {};
}

}  // namespace patchbay
