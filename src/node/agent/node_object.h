// The Node object this agent registers and keeps current: labels, pod CIDR, capacity and
// allocatable, addresses, nodeInfo and the four conditions kubelet reports.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>

#include "host_facts.h"
#include "skiff/node/agent_config.h"

namespace skiff::node {

// A whole Node for the first registration.
nlohmann::json BuildNode(const AgentConfig& config, const HostFacts& facts,
                         std::chrono::system_clock::time_point now);

// status for a status update: capacity, allocatable, addresses, nodeInfo, daemonEndpoints and
// the conditions, keeping each condition's lastTransitionTime from `previous_status` when its
// status did not change.
nlohmann::json BuildNodeStatus(const AgentConfig& config, const HostFacts& facts,
                               const nlohmann::json& previous_status,
                               std::chrono::system_clock::time_point now);

// Allocatable as kubelet computes it with its default hard eviction thresholds
// (memory.available 100Mi, nodefs.available 10%) and no reservations.
int64_t AllocatableMemory(const HostFacts& facts);
int64_t AllocatableEphemeralStorage(const HostFacts& facts);

}  // namespace skiff::node
