#include "live_events.h"

#include <map>

#include "api_watchdog.h"

namespace patchbay {

std::vector<Event> state_events(const std::vector<StateChange>& changes) {
    std::vector<Event> out;
    for (const auto& c : changes) {
        auto data = state_change_json(c);
        if (!c.instance && c.accounts.size() > 1) data["reason"] = nullptr;
        out.push_back(Event{"state", std::move(data), c.accounts});
    }
    return out;
}

Event change_event(const Change& change, const std::string& account) {
    std::vector<std::string> accounts;
    if (!account.empty()) accounts.push_back(account);
    return Event{"change", {{"zone", change.zone}, {"serial", change.serial}}, std::move(accounts)};
}

std::vector<Event> applied_events(const SerialsMoved& moved,
                                  const std::function<std::optional<std::string>(const std::string&)>& account_of) {
    std::map<std::string, nlohmann::json> by_account;  // '' = the platform's (and domains no zone holds)
    for (const auto& [domain, serial] : moved.serials) {
        auto& serials = by_account[account_of(domain).value_or("")];
        if (serials.is_null()) serials = nlohmann::json::object();
        serials[domain] = serial;
    }
    std::vector<Event> out;
    for (auto& [account, serials] : by_account) {
        std::vector<std::string> accounts;
        if (!account.empty()) accounts.push_back(account);
        out.push_back(Event{"applied", {{"server", moved.server}, {"serials", std::move(serials)}}, std::move(accounts)});
    }
    return out;
}

}  // namespace patchbay
