// live_events: what the live stream (GET /v1/events, event_hub.h) says, made from what
// happened. Pure. Each event names the accounts it concerns, so an account hears only of
// its own things (admins of all):
//   state    a server or instance changed state (a StateChange as GET /v1/servers/NAME
//            shows it); a server-level change on a server several accounts share carries
//            no reason (it may name another account's instance);
//   change   a committed change moved a zone's serial: {zone, serial};
//   applied  a server reports applying other serials than before: {server, serials}
//            (the change log's hosts moved from pending to applied); one event per
//            account with that account's domains only, the platform's domains in one
//            for admins.
// The page reloads what it shows on any of them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "event_hub.h"
#include "store.h"
#include "watchdog.h"

namespace patchbay {

std::vector<Event> state_events(const std::vector<StateChange>& changes);
// `account`: the zone's ('' = the platform's).
Event change_event(const Change& change, const std::string& account);
// `account_of`: a domain's account (nullopt: no zone of ours).
std::vector<Event> applied_events(const SerialsMoved& moved,
                                  const std::function<std::optional<std::string>(const std::string&)>& account_of);

}  // namespace patchbay
