// The runs of each probe kind (probe.h); only probe.cpp starts them.
#pragma once

#include <memory>

#include "probe.h"

namespace patchbay::probe_kinds {

std::unique_ptr<ProbeRun> tcp(sd_event* event, const ProbeConfig& config, const ProbeTarget& target,
                              ProbeRun::Done done);
std::unique_ptr<ProbeRun> http(sd_event* event, CurlLoop& curl, const ProbeConfig& config, const ProbeTarget& target,
                               ProbeRun::Done done);
std::unique_ptr<ProbeRun> sip(sd_event* event, const ProbeConfig& config, const ProbeTarget& target,
                              ProbeRun::Done done);
std::unique_ptr<ProbeRun> command(sd_event* event, const ProbeConfig& config, const ProbeTarget& target,
                                  ProbeRun::Done done);
// A run that fails with `error` on the next loop iteration.
std::unique_ptr<ProbeRun> failed(sd_event* event, std::string error, ProbeRun::Done done);

}  // namespace patchbay::probe_kinds
