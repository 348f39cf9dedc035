// kubelet's eviction signals as this node observes them: each --eviction-hard signal read from
// the host facts (memory.available from MemAvailable; nodefs and imagefs from the state dir's
// file system, which is both here; pid.available from kernel.pid_max less the running
// processes), which thresholds they cross, the pressure conditions those make, and the
// resource each signal reclaims. Plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host_facts.h"
#include "skiff/apis/eviction_thresholds.h"

namespace skiff::node {

// Which pressure conditions the node is under.
struct NodePressure {
  bool memory = false;  // memory.available
  bool disk = false;    // nodefs/imagefs available bytes or free inodes
  bool pid = false;     // pid.available

  bool Any() const { return memory || disk || pid; }
  bool operator==(const NodePressure&) const = default;
};

// What a pod's eviction under a signal reclaims (kubelet's signalToResource).
enum class EvictionResource { kMemory, kEphemeralStorage, kInodes, kPids };

// "memory", "ephemeral-storage", "inodes", "pids": the name kubelet's messages use.
std::string ResourceName(EvictionResource resource);
EvictionResource ResourceOf(apis::EvictionSignal signal);

// One signal as observed now, in its own units. `known` is false when the host did not tell
// (an unread MemAvailable, an unknown capacity): such a signal never crosses its threshold.
struct SignalObservation {
  int64_t available = 0;
  int64_t capacity = 0;
  bool known = false;
};
SignalObservation Observe(apis::EvictionSignal signal, const HostFacts& facts);

// A threshold the node is below now, with what was observed.
struct ThresholdMet {
  apis::EvictionThreshold threshold;
  SignalObservation observed;
  int64_t amount = 0;  // the threshold in the signal's units, for this capacity
};

// The thresholds `facts` cross, in kubelet's eviction priority: memory first, then the others
// in the order given.
std::vector<ThresholdMet> ThresholdsMet(const apis::EvictionThresholds& thresholds,
                                        const HostFacts& facts);

// The conditions those thresholds make (kubelet's signalToNodeCondition).
NodePressure PressureFrom(const std::vector<ThresholdMet>& met);

}  // namespace skiff::node
