// How node pressure judges pods, as kubelet's eviction manager does: which pod goes first
// when a resource runs short, the message it is evicted with, which pods are never evicted,
// and which new pods a node under pressure turns away. Pure functions; thread-safe.
//
// Ranking (kubelet's rank functions), for the resource the crossed signal reclaims:
//   memory:                   pods using more than their memory requests first, then lower
//                             spec.priority first, then the largest usage above requests;
//   ephemeral-storage/inodes: the same with the pod's disk use (writable layers, logs and
//                             disk emptyDirs) against its ephemeral-storage requests (inodes
//                             have no requests);
//   pids:                     lower priority first, then the most processes.
// Requests are the pod's effective requests (containers summed, raised to the largest init
// container, plus overhead). (kubelet ranks first a pod it has no stats for; every pod here is
// measured, one with nothing running as using nothing.)
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eviction_signals.h"

namespace skiff::node {

// kubelet's SystemCriticalPriority: pods at or above it are never evicted under pressure.
inline constexpr int64_t kSystemCriticalPriority = 2000000000;

// What a pod uses now of the resource being reclaimed.
struct PodUsage {
  // The whole pod: memory working set bytes, disk bytes, inodes, or processes.
  int64_t total = 0;
  // By container name, for the message: memory working set, or writable layer + logs bytes.
  std::map<std::string, int64_t> containers;
};

struct EvictionCandidate {
  nlohmann::json pod;
  PodUsage usage;
};

// Orders `candidates` for eviction under pressure on `resource`, first to go first (stable).
void RankForEviction(EvictionResource resource, std::vector<EvictionCandidate>& candidates);

// kubelet's IsCriticalPod: a static or mirror pod (kubernetes.io/config.source other than
// "api", or kubernetes.io/config.mirror), or spec.priority >= kSystemCriticalPriority.
bool IsCriticalPod(const nlohmann::json& pod);

// kubelet's eviction message for `pod` under the crossed threshold `met`:
//   The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki.
//   Container app was using 600Mi, request is 0, has larger consumption of memory.
// (one line; each sentence ends with a space), a "Container ..." sentence for each container
// (app, then init) using more memory or ephemeral storage than it requests.
std::string EvictionMessage(const ThresholdMet& met, const nlohmann::json& pod,
                            const PodUsage& usage);

// kubelet's eviction admission: "" when a new pod may run on a node reporting `conditions`,
// else why not ("The node had condition: [MemoryPressure]. "). Critical pods are always
// admitted; under memory pressure alone, so is every pod that is not BestEffort and every
// BestEffort pod tolerating node.kubernetes.io/memory-pressure:NoSchedule; under disk or PID
// pressure no other pod is.
std::string AdmissionRefusal(const NodePressure& conditions, const nlohmann::json& pod);

}  // namespace skiff::node
