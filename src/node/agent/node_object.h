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

// Allocatable as kubelet computes it with no reservations: capacity less the memory.available
// and nodefs.available hard eviction thresholds.
int64_t AllocatableMemory(const AgentConfig& config, const HostFacts& facts);
int64_t AllocatableEphemeralStorage(const AgentConfig& config, const HostFacts& facts);

// Which pressure conditions the facts put the node under, by config.eviction_hard.
struct NodePressure {
  bool memory = false;  // memory.available
  bool disk = false;    // nodefs/imagefs available bytes or free inodes
  bool pid = false;     // pid.available
};
NodePressure PressureOf(const AgentConfig& config, const HostFacts& facts);

}  // namespace skiff::node
