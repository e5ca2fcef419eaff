// update_handler: RFC 2136 UPDATE as it arrives on the DNS port — parsed, its TSIG
// checked, the ACL asked (action "update"), then handed to the controller's mutation path
// (Controller::update_zone), and the response signed with the request's key.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "acl.h"
#include "controller.h"
#include "dns_dispatch.h"
#include "tsig.h"

namespace patchbay {

// The handler for DnsPolicy::update. Responses: FORMERR for a message that does not parse
// or whose zone section is not one SOA question of class IN; NOTAUTH with the TSIG error
// for a bad signature (RFC 8945 §5.2); REFUSED when no ACL entry allows the update (an
// unsigned update is allowed only by an entry without a key), and REFUSED too when the
// key belongs to an account (`key_accounts`: key name ⇒ account, docs/accounts.md) and
// the zone does not, whatever the ACL says; NOTAUTH for a zone that is not ours;
// SERVFAIL when the store fails; else the update's own rcode (update.h). Runs on a DNS
// worker thread and waits for the commit (an fsync), as a client of a primary expects:
// NOERROR means the change is durable.
UpdateHandler make_update_handler(Controller& controller, Keyring keys, std::vector<AclEntry> acl,
                                  std::map<std::string, std::string> key_accounts = {});

}  // namespace patchbay
