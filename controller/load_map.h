// load_map: the `load` strategy's input (docs/mapping.md) — each server's reported host
// CPU use, by the addresses of the instances it reports. Pure; the watchdog builds it
// from its servers after ingesting reports (Watchdog::on_load) and the controller's
// mapping reads it (Controller::set_load).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "address.h"

namespace patchbay {

// The host CPU use (busy fraction 0..1) last reported for the servers holding an
// address, by address; the load strategy's input.
using LoadMap = std::map<Address, double>;
using LoadMapPtr = std::shared_ptr<const LoadMap>;

// One server as the load map sees it: its host's CPU use and the addresses of the
// instances it reports (in any order, repeats allowed).
struct ServerLoad {
    std::string server;
    double cpu = 0;
    std::vector<Address> addresses;
};

// Every address of every server ⇒ that server's CPU, clamped to 0..1 (a NaN counts as
// 0). An address two servers report (moving between them) takes the busier one's.
LoadMap build_load_map(const std::vector<ServerLoad>& servers);

// The tenth of a CPU `cpu` falls in (0..10): load weights only move in these steps
// (mapping.h), so a change within one step changes no answer.
long load_step(double cpu);

}  // namespace patchbay
