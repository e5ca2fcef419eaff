// What the watchdog and the alerts need to know of the accounts (issue 5): which zone
// belongs to which account, and each account's own [health] and [[alert]] (from its
// current settings file, docs/policies.md). The Controller makes one after every change
// of either (Controller::on_accounts); immutable once made.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alert.h"
#include "health.h"

namespace patchbay {

struct AccountsSnapshot {
    std::map<std::string, std::string, std::less<>> zone_accounts;  // zone ⇒ account; platform zones absent
    std::map<std::string, HealthOverrides> health;                  // account ⇒ its [health], when given
    std::map<std::string, std::vector<AlertPolicy>> alerts;         // account ⇒ its [[alert]], when any

    // The account owning `zone`; "" for a platform zone or one not known.
    const std::string& account_of(const std::string& zone) const {
        static const std::string none;
        auto it = zone_accounts.find(zone);
        return it == zone_accounts.end() ? none : it->second;
    }
};
using AccountsSnapshotPtr = std::shared_ptr<const AccountsSnapshot>;

}  // namespace patchbay
