// Container lifecycle handlers (postStart, preStop), run as kubelet runs them: exec in the
// container (success: exit 0), httpGet (success: any answer; only a failure to get one is
// an error, as kubelet's lifecycle handler), or sleep (`sleep.seconds`, cut short by the
// timeout). tcpSocket handlers are accepted by the API for compatibility and do nothing.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>

#include "pod_record.h"
#include "probe_actions.h"

namespace skiff::node {

// `handler` is the postStart or preStop object; `spec` the container's spec (named ports);
// the timeout bounds the whole handler.
ProbeOutcome RunLifecycleHandler(const nlohmann::json& handler, const PodRecord& record,
                                 const ContainerRecord& c, const nlohmann::json& spec,
                                 std::chrono::milliseconds timeout, const ContainerExec& exec);

}  // namespace skiff::node
