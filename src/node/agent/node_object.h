// The Node object this agent registers and keeps current: labels, pod CIDR, capacity and
// allocatable, addresses, nodeInfo and the four conditions kubelet reports.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>

#include "eviction_signals.h"
#include "host_facts.h"
#include "skiff/node/agent_config.h"

namespace skiff::node {

// A whole Node for the first registration.
nlohmann::json BuildNode(const AgentConfig& config, const HostFacts& facts,
                         std::chrono::system_clock::time_point now);

// status for a status update: capacity, allocatable, addresses, nodeInfo, daemonEndpoints and
// the conditions, keeping each condition's lastTransitionTime from `previous_status` when its
// status did not change. The pressure conditions are `pressure` (what the eviction manager
// holds, transition period included), or PressureOf(config, facts) in the first form.
nlohmann::json BuildNodeStatus(const AgentConfig& config, const HostFacts& facts,
                               const nlohmann::json& previous_status,
                               std::chrono::system_clock::time_point now);
nlohmann::json BuildNodeStatus(const AgentConfig& config, const HostFacts& facts,
                               const NodePressure& pressure, const nlohmann::json& previous_status,
                               std::chrono::system_clock::time_point now);

// Allocatable as kubelet computes it with no reservations: capacity less the memory.available
// and nodefs.available hard eviction thresholds.
int64_t AllocatableMemory(const AgentConfig& config, const HostFacts& facts);
int64_t AllocatableEphemeralStorage(const AgentConfig& config, const HostFacts& facts);

// Which pressure conditions the facts put the node under now, by config.eviction_hard.
NodePressure PressureOf(const AgentConfig& config, const HostFacts& facts);

}  // namespace skiff::node
