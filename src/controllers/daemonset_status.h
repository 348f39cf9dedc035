// A DaemonSet's status as kube-controller-manager computes and stores it
// (daemon_controller.go updateDaemonSetStatus, storeDaemonSetStatus).
//
// Over the nodes that should run the pod (desiredNumberScheduled), those that have one
// (currentNumberScheduled) are judged by their oldest daemon pod (bound first, then by
// creationTimestamp): Ready counts in numberReady, Ready for minReadySeconds in numberAvailable,
// carrying the current revision hash (or template generation) in updatedNumberScheduled.
// Nodes that should not run it but have one count in numberMisscheduled. numberUnavailable is
// desired - available.
//
// Pure functions; nothing throws; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "controllers/daemonset_nodes.h"
#include "controllers/daemonset_util.h"

namespace skiff::controllers::daemonset {

struct DaemonSetCounts {
  int32_t desired = 0;       // desiredNumberScheduled
  int32_t current = 0;       // currentNumberScheduled
  int32_t misscheduled = 0;  // numberMisscheduled
  int32_t ready = 0;         // numberReady
  int32_t updated = 0;       // updatedNumberScheduled
  int32_t available = 0;     // numberAvailable
  int32_t unavailable = 0;   // numberUnavailable
  bool operator==(const DaemonSetCounts&) const = default;
};

// `node_to_pods` leaves out terminal pods that are being deleted (getNodesToDaemonPods).
DaemonSetCounts CountDaemonPods(const json& ds, const std::vector<client::ObjectPtr>& nodes,
                                const DaemonPlacement& placement, const NodeToPods& node_to_pods,
                                const std::string& hash, std::chrono::system_clock::time_point now);

// The counts as the DaemonSet's status has them now.
DaemonSetCounts CurrentCounts(const json& ds);

// storeDaemonSetStatus writes unless every count is already so and status.observedGeneration
// has reached metadata.generation.
bool NeedsStatusWrite(const json& ds, const DaemonSetCounts& counts);

// The merge patch of the status subresource: every count, and observedGeneration =
// metadata.generation when `observe_generation`. Members Kubernetes omits when zero
// (updatedNumberScheduled, numberAvailable, numberUnavailable) are removed instead of set to 0,
// so the object reads as kube-apiserver serves it.
json StatusPatch(const json& ds, const DaemonSetCounts& counts, bool observe_generation);

}  // namespace skiff::controllers::daemonset
