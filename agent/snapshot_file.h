// The agent's last-known-good snapshots on disk (the `state_file`), so a restart while DNS
// is unreachable carries on from what the agent last knew complete: written after every
// fetched complete snapshot (whole or absent after a crash, atomic_file.h), read once at
// start-up. A damaged file is logged and ignored: the agent then starts knowing nothing,
// as without one, and holds its stops until it has seen every domain complete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "tuple.h"

namespace patchbay {

struct KnownSnapshot {
    std::string domain;
    uint32_t serial = 0;
    std::vector<Tuple> tuples;

    bool operator==(const KnownSnapshot&) const = default;
};

// {"version":1,"domains":[{"domain":D,"serial":N,"tuples":[{service,transport,address,
// port,priority,weight,target}]}]}. Pure.
std::string snapshot_file_text(const std::vector<KnownSnapshot>& snapshots);
// Errors name the field: "domains[0].tuples[2].address: not an IP address: 10.0.0.300".
Result<std::vector<KnownSnapshot>> snapshot_file_from(std::string_view text);

// What the agent starts from: the loaded snapshots of the domains still configured
// (`domains`, normalised), in their order; a domain no longer configured is ignored. Pure.
std::vector<KnownSnapshot> starting_snapshots(const std::vector<KnownSnapshot>& loaded,
                                              const std::vector<std::string>& domains);
// "hostdomain.com serial 7 (3 tuples), example.org serial 2 (0 tuples)", for the log. Pure.
std::string describe_snapshots(const std::vector<KnownSnapshot>& snapshots);

// Reads `path`: nullopt when there is none. Errors name the file and what is wrong.
Result<std::optional<std::vector<KnownSnapshot>>> load_snapshot_file(const std::string& path);
// Errors name the file.
Result<void> save_snapshot_file(const std::string& path, const std::vector<KnownSnapshot>& snapshots);

}  // namespace patchbay
